import type { OperationDefinition } from '@medplum/fhirtypes';
import { signNote } from '../../domain/consultations/note-signing';
import { methodNotAllowed } from '../outcomes';
import { withRuleOutcomes } from '../rule-outcome';
import { parseETag } from '../interactions/stored-resource';
import type { FhirOperation } from './fhir-operation';

/**
 * `POST Composition/{id}/$sign`: the author signs a draft consultation note. It becomes final,
 * legally attested now, and a Provenance with the author's signature records it
 * (domain/consultations/note-signing.ts). `If-Match` names the version being signed. Answers
 * the signed note. After signing, the note only changes by amendment (PUT, status amended).
 */
export const compositionSign: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Composition-sign',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Composition-sign',
    name: 'Sign',
    status: 'active',
    kind: 'operation',
    code: 'sign',
    resource: ['Composition'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Composition', documentation: 'The signed (final) note' }],
  },
  async handle(ctx, request, target) {
    if (request.method !== 'POST') {
      throw methodNotAllowed('$sign must be invoked with POST');
    }
    const expected = request.headers.ifMatch === undefined ? undefined : parseETag(request.headers.ifMatch);
    const { note } = await withRuleOutcomes(() => signNote(ctx.repo, ctx.access, target.id as string, expected));
    return { status: 200, resource: note, versionId: Number(note.meta?.versionId), lastUpdated: note.meta?.lastUpdated };
  },
};
