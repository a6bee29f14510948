import type { DocumentReference } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { FhirRepository } from '../../storage/fhir-repository';
import { RuleViolation } from '../rule-violation';
import { lockForUpdate, writeNext } from '../stored-writes';

const DOCUMENT_REFERENCE = /^DocumentReference\/([A-Za-z0-9\-.]{1,64})$/;

/** The ids a DocumentReference replaces: its `relatesTo` entries with code `replaces` (R4 document-relationship-type) to `DocumentReference/<id>`. */
export function replacedDocumentIds(document: DocumentReference): string[] {
  return replacements(document).flatMap((relation) => DOCUMENT_REFERENCE.exec(relation.target?.reference ?? '')?.[1] ?? []);
}

function replacements(document: DocumentReference) {
  return (document.relatesTo ?? []).filter((relation) => relation.code === 'replaces');
}

/**
 * A DocumentReference written with new `replaces` relations supersedes those documents, in its
 * own transaction (as IHE MHD's replace does): each must be a current DocumentReference about
 * the same subject that the caller can read, and its status becomes `superseded`; the rest of
 * it stays as it was. The change is made with the server's authority, so a doctor also retires
 * a credential document that verification has frozen. `repo` is the caller's transaction;
 * `before` the version the write replaces, whose relations were carried out already.
 */
export async function supersedeReplacedDocuments(
  repo: FhirRepository,
  document: DocumentReference,
  before: DocumentReference | undefined,
): Promise<void> {
  if (replacements(document).some((relation) => !DOCUMENT_REFERENCE.test(relation.target?.reference ?? ''))) {
    throw new RuleViolation('invalid', 'A replaced document is referenced as DocumentReference/<id>', 'DocumentReference.relatesTo');
  }
  const earlier = new Set(before ? replacedDocumentIds(before) : []);
  for (const id of replacedDocumentIds(document).filter((replaced) => !earlier.has(replaced))) {
    if (id === document.id) {
      throw new RuleViolation('business-rule', 'A document cannot replace itself', 'DocumentReference.relatesTo');
    }
    // Read through the caller's access first: what they cannot see, they cannot retire.
    if (!(await repo.readCurrent('DocumentReference', id))) {
      throw new RuleViolation(
        'business-rule',
        `DocumentReference/${id} (replaced) is not a document you can see`,
        'DocumentReference.relatesTo',
      );
    }
    const system = repo.withAccess(FULL_ACCESS);
    const replaced = await lockForUpdate<DocumentReference>(system, 'DocumentReference', id);
    if (replaced.resource.subject?.reference !== document.subject?.reference) {
      throw new RuleViolation('business-rule', `DocumentReference/${id} is about another subject`, 'DocumentReference.relatesTo');
    }
    if (replaced.resource.status !== 'current') {
      throw new RuleViolation(
        'business-rule',
        `DocumentReference/${id} is ${replaced.resource.status}, not current`,
        'DocumentReference.relatesTo',
      );
    }
    await writeNext(system, replaced.stored, { ...replaced.resource, status: 'superseded' });
  }
}
