import type { DocumentReference } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { FhirRepository } from '../../storage/fhir-repository';
import { RuleViolation } from '../rule-violation';
import { lockForUpdate, writeNext } from '../stored-writes';

const DOCUMENT_REFERENCE = /^DocumentReference\/([A-Za-z0-9\-.]{1,64})$/;

/** The ids a DocumentReference replaces: its `relatesTo` entries with code `replaces` (R4 document-relationship-type) to `DocumentReference/<id>`. */
function replacedDocumentIds(document: DocumentReference): string[] {
  return replacements(document).flatMap((relation) => DOCUMENT_REFERENCE.exec(relation.target?.reference ?? '')?.[1] ?? []);
}

function replacements(document: DocumentReference) {
  return (document.relatesTo ?? []).filter((relation) => relation.code === 'replaces');
}

/**
 * A DocumentReference written with new `replaces` relations supersedes those documents, in its
 * own transaction (as IHE MHD's replace does): a current DocumentReference about the same
 * subject becomes `superseded`, the rest of it unchanged. The change is made with the server's
 * authority, so a doctor also retires a credential document that verification has frozen.
 * A replaced document must be one the caller can read; for a portal user, one that is not,
 * is about another subject or is no longer current is refused (422). Trusted backends (EHR
 * imports, which may bring a document and its already superseded predecessor, or a reference
 * to a document kept elsewhere) are never refused: what does not fit is left alone.
 * `repo` is the caller's transaction; `before` the version the write replaces, whose relations
 * were carried out already.
 */
export async function supersedeReplacedDocuments(
  repo: FhirRepository,
  document: DocumentReference,
  before: DocumentReference | undefined,
  trusted: boolean,
): Promise<void> {
  const refuse = (message: string): void => {
    if (!trusted) {
      throw new RuleViolation('business-rule', message, 'DocumentReference.relatesTo');
    }
  };
  if (replacements(document).some((relation) => !DOCUMENT_REFERENCE.test(relation.target?.reference ?? ''))) {
    refuse('A replaced document is referenced as DocumentReference/<id>');
  }
  const earlier = new Set(before ? replacedDocumentIds(before) : []);
  for (const id of replacedDocumentIds(document).filter((replaced) => !earlier.has(replaced))) {
    // Read through the caller's access first: what they cannot see, they cannot retire.
    const visible = await repo.readCurrent('DocumentReference', id);
    if (id === document.id || !visible || visible.deleted) {
      refuse(`DocumentReference/${id} is not another document you can see`);
      continue;
    }
    const system = repo.withAccess(FULL_ACCESS);
    const replaced = await lockForUpdate<DocumentReference>(system, 'DocumentReference', id);
    if (replaced.resource.subject?.reference !== document.subject?.reference) {
      refuse(`DocumentReference/${id} is about another subject`);
    } else if (replaced.resource.status !== 'current') {
      refuse(`DocumentReference/${id} is ${replaced.resource.status}, not current`);
    } else {
      await writeNext(system, replaced.stored, { ...replaced.resource, status: 'superseded' });
    }
  }
}
