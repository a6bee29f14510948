import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

/* eslint-disable @typescript-eslint/no-explicit-any -- the cases edit example JSON freely */
export type Json = any;

export const SD = (id: string): string => `https://medbuddy.dev/fhir/StructureDefinition/${id}`;

/** One failing case: which differential constraints it breaks, on which example, how, and the issue expected. */
export interface Case {
  readonly covers: readonly string[];
  readonly type: string;
  readonly mutate: (r: Json) => void;
  readonly code: OperationOutcomeIssue['code'];
  readonly text: RegExp;
}

export const c = (type: string, covers: string | string[], mutate: (r: Json) => void, code: Case['code'], text: RegExp): Case => ({
  covers: Array.isArray(covers) ? covers : [covers],
  type,
  mutate,
  code,
  text,
});
export const ext = (r: Json, id: string): Json => r.extension.find((e: Json) => e.url === SD(id));
export const dropExt = (r: Json, id: string): void => {
  r.extension = r.extension.filter((e: Json) => e.url !== SD(id));
};
export const twice = (r: Json, id: string): void => {
  r.extension.push(structuredClone(ext(r, id)));
};
