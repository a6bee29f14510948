/** The call's messages that name the other participant (CALL_PARTNER), for both providers. */
export function capitalized(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function waitingFor(partner: string): string {
  return `Waiting for ${partner} to join the call…`;
}

export function partnerLeft(partner: string): string {
  return `${capitalized(partner)} left the call. Waiting for them to come back…`;
}
