/** The time source of notification planning and sending; tests inject a fixed or moving clock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
