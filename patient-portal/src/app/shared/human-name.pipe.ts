import { Pipe, type PipeTransform } from '@angular/core';
import type { HumanName } from '@medplum/fhirtypes';

/** A person's name for display: the usual or official one, `text` if given, else given + family. */
export function formatHumanName(names: readonly HumanName[] | undefined): string {
  const current = (names ?? []).filter((name) => !name.period?.end || new Date(name.period.end) > new Date());
  const name =
    current.find((n) => n.use === 'usual') ??
    current.find((n) => n.use === 'official') ??
    current.find((n) => n.use !== 'old') ??
    current[0];
  if (!name) {
    return '';
  }
  if (name.text?.trim()) {
    return name.text.trim();
  }
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])]
    .filter((part): part is string => !!part?.trim())
    .join(' ');
}

@Pipe({ name: 'humanName' })
export class HumanNamePipe implements PipeTransform {
  transform(names: readonly HumanName[] | undefined): string {
    return formatHumanName(names);
  }
}
