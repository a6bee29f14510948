import { FULL_ACCESS } from '../../auth/access-context';
import type { CodeSystem, Resource } from '@medplum/fhirtypes';
import { createThrowawayDatabase } from '../../../test/setup/test-database';
import { loadFhirDefinitions } from '../../definitions';
import { packagedResourcesToSeed } from '../../definitions/package-folders';
import { openDatabase, type Database } from '../../storage/db';
import { PgRepository } from '../../storage/pg-repository';
import type { FhirContext } from '../fhir-request';
import { deleteResource } from '../interactions/delete';
import { updateResource } from '../interactions/update';
import { seedPackagedResources } from './seed-packaged-resources';

let database: { url: string; drop(): Promise<void> };
let db: Database;
let ctx: FhirContext;
const packaged = packagedResourcesToSeed();
const specialty = packaged.find((r) => r.resourceType === 'CodeSystem' && r.id === 'specialty') as CodeSystem;

beforeAll(async () => {
  loadFhirDefinitions();
  database = await createThrowawayDatabase();
  db = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 8 });
  await db.migrate();
  ctx = { repo: new PgRepository(db.sql), access: FULL_ACCESS, baseUrl: 'http://medbuddy.test/fhir' };
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

const versionOf = async (type: string, id: string) => (await ctx.repo.readCurrent(type, id))?.versionId;

describe('seeding the packaged terminology (idempotent, safe with several processes)', () => {
  test('two processes seeding at once store every resource exactly once', async () => {
    const reports = await Promise.all([seedPackagedResources(ctx, packaged), seedPackagedResources(ctx, packaged)]);
    expect(reports[0].created.length + reports[1].created.length).toBe(packaged.length);
    expect([...reports[0].updated, ...reports[1].updated]).toEqual([]);
    for (const resource of packaged) {
      expect([resource.id, await versionOf(resource.resourceType, resource.id as string)]).toEqual([resource.id, 1]);
    }
  });

  test('seeding again changes nothing, and an admin edit survives a restart', async () => {
    const edited = { ...specialty, concept: [...(specialty.concept ?? []), { code: 'sleep-medicine', display: 'Sleep medicine' }] };
    await updateResource(ctx, 'CodeSystem', 'specialty', edited);
    expect(await seedPackagedResources(ctx, packaged)).toEqual({ created: [], updated: [] });
    const stored = JSON.parse((await ctx.repo.readCurrent('CodeSystem', 'specialty'))?.content as string) as CodeSystem;
    expect(stored.concept?.map((c) => c.code)).toContain('sleep-medicine');
  });

  test('a packaged resource with a later date (a new release) replaces the stored one', async () => {
    const release: Resource[] = [{ ...specialty, date: '2099-01-01', title: 'Specialties, next release' } as CodeSystem];
    expect(await seedPackagedResources(ctx, release)).toEqual({ created: [], updated: ['CodeSystem/specialty'] });
    const stored = JSON.parse((await ctx.repo.readCurrent('CodeSystem', 'specialty'))?.content as string) as CodeSystem;
    expect(stored.title).toBe('Specialties, next release');
  });

  test('a resource an admin deleted stays deleted', async () => {
    await deleteResource(ctx, 'ValueSet', 'video-provider');
    expect(await seedPackagedResources(ctx, packaged)).toEqual({ created: [], updated: [] });
    expect((await ctx.repo.readCurrent('ValueSet', 'video-provider'))?.deleted).toBe(true);
  });
});
