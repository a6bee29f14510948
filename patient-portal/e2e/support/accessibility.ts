import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';

interface AxeViolation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[] }[];
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is and fails on any serious or
 * critical violation, listing rule, help text and elements. The script is evaluated through
 * the DevTools protocol, so the portal's Content-Security-Policy stays on.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const details = serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    throw new Error(`accessibility violations on ${what}:\n${details.join('\n')}`);
  }
}
