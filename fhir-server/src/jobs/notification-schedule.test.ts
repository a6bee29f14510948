import { scheduleNotifications } from './notification-schedule';

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('node-cron runs the pass on its schedule, logs a failed pass and goes on, and stops', async () => {
  let passes = 0;
  const errors: string[] = [];
  const job = scheduleNotifications(
    '* * * * * *',
    async () => {
      passes++;
      if (passes === 1) {
        throw new Error('database unavailable');
      }
    },
    { info: () => undefined, error: (message) => void errors.push(message) },
  );
  try {
    await until(() => passes >= 2);
    expect(errors).toEqual(['Notification pass failed']);
  } finally {
    await job.stop();
  }
  const stoppedAt = passes;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(passes).toBe(stoppedAt);
});
