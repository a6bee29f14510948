import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Composition } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { AMENDMENT_REASON_URL, AUTOSAVE_MS, NoteStore } from './note-store';
import { draftNote, soapText } from './soap-note';

const BASE = 'http://medbuddy.test/fhir';
const IDS = { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/d1' };

function stored(version: string, subjective = ''): Composition {
  return { ...draftNote({ subjective, objective: '', assessment: '', plan: '' }, IDS), id: 'c1', meta: { versionId: version } };
}

describe('NoteStore', () => {
  let store: NoteStore;
  let http: HttpTestingController;

  beforeEach(() => {
    vi.useFakeTimers();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        NoteStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    store = TestBed.inject(NoteStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    vi.useRealTimers();
    http.verify();
  });

  it('creates the note after a pause in typing, then saves changes with If-Match', async () => {
    store.open(IDS, undefined);
    store.edit('subjective', 'Head');
    store.edit('subjective', 'Headache');
    expect(store.state()).toBe('unsaved');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    expect(store.state()).toBe('saving');
    const create = http.expectOne({ method: 'POST', url: `${BASE}/Composition` });
    expect(soapText(create.request.body).subjective).toBe('Headache');
    create.flush(stored('1', 'Headache'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state()).toBe('saved');

    store.edit('plan', 'Rest');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    const update = http.expectOne({ method: 'PUT', url: `${BASE}/Composition/c1` });
    expect(update.request.headers.get('If-Match')).toBe('W/"1"');
    update.flush(stored('2', 'Headache'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state()).toBe('saved');
    expect(store.note()?.meta?.versionId).toBe('2');
  });

  it('shows a conflict on 412 and reloads their version on request', async () => {
    store.open(IDS, stored('1', 'Mine'));
    store.edit('subjective', 'Mine, edited');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    http
      .expectOne({ method: 'PUT', url: `${BASE}/Composition/c1` })
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] },
        { status: 412, statusText: 'Precondition Failed' },
      );
    await vi.advanceTimersByTimeAsync(0);
    http.expectOne({ method: 'GET', url: `${BASE}/Composition/c1` }).flush(stored('2', 'Theirs'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.state()).toBe('conflict');
    expect(soapText(store.theirs() as Composition).subjective).toBe('Theirs');

    // Typing on while in conflict never writes over the other version.
    store.edit('plan', 'more');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    expect(store.state()).toBe('conflict');

    store.reloadTheirs();
    expect(store.state()).toBe('saved');
    expect(store.text().subjective).toBe('Theirs');
  });

  it('overwrites their version with the local text, based on their version', async () => {
    store.open(IDS, stored('1', 'Mine'));
    store.edit('subjective', 'Mine, edited');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    http.expectOne({ method: 'PUT', url: `${BASE}/Composition/c1` }).flush(null, { status: 412, statusText: 'Precondition Failed' });
    await vi.advanceTimersByTimeAsync(0);
    http.expectOne({ method: 'GET', url: `${BASE}/Composition/c1` }).flush(stored('2', 'Theirs'));
    await vi.advanceTimersByTimeAsync(0);

    const overwritten = store.overwrite();
    await vi.advanceTimersByTimeAsync(0);
    const put = http.expectOne({ method: 'PUT', url: `${BASE}/Composition/c1` });
    expect(put.request.headers.get('If-Match')).toBe('W/"2"');
    expect(soapText(put.request.body).subjective).toBe('Mine, edited');
    put.flush(stored('3', 'Mine, edited'));
    await overwritten;
    expect(store.state()).toBe('saved');
  });

  it('signs the saved version with If-Match', async () => {
    store.open(IDS, stored('5', 'Done'));
    const signing = store.sign();
    await vi.advanceTimersByTimeAsync(0);
    const sign = http.expectOne({ method: 'POST', url: `${BASE}/Composition/c1/$sign` });
    expect(sign.request.headers.get('If-Match')).toBe('W/"5"');
    sign.flush({ ...stored('6', 'Done'), status: 'final' });
    expect(await signing).toBe(true);
    expect(store.state()).toBe('signed');
    expect(store.signed()).toBe(true);
    store.edit('plan', 'after signing');
    expect(store.state()).toBe('signed');
    expect(store.text().plan).toBe('');
  });

  it('amends a signed note with a reason, by an explicit save', async () => {
    store.open(IDS, { ...stored('6', 'Done'), status: 'final' });
    expect(store.state()).toBe('signed');
    expect(store.editable()).toBe(false);
    store.startAmendment();
    expect(store.editable()).toBe(true);
    store.edit('plan', 'Add physiotherapy');
    await vi.advanceTimersByTimeAsync(AUTOSAVE_MS);
    expect(await store.saveAmendment(' ')).toBe(false);
    expect(store.error()).toBe('Give the reason for the amendment.');

    const saved = store.saveAmendment('Plan completed after the call');
    const put = http.expectOne({ method: 'PUT', url: `${BASE}/Composition/c1` });
    expect(put.request.headers.get('If-Match')).toBe('W/"6"');
    expect(put.request.body.status).toBe('amended');
    expect(put.request.body.extension).toEqual([{ url: AMENDMENT_REASON_URL, valueString: 'Plan completed after the call' }]);
    expect(soapText(put.request.body).plan).toBe('Add physiotherapy');
    put.flush({ ...put.request.body, meta: { versionId: '7' } });
    expect(await saved).toBe(true);
    expect(store.state()).toBe('signed');
    expect(store.note()?.status).toBe('amended');
  });

  it('drops the amendment when cancelled', () => {
    store.open(IDS, { ...stored('6', 'Done'), status: 'final' });
    store.startAmendment();
    store.edit('subjective', 'Changed');
    store.cancelAmendment();
    expect(store.state()).toBe('signed');
    expect(store.text().subjective).toBe('Done');
  });

  it('refuses to sign an empty, never saved note', async () => {
    store.open(IDS, undefined);
    expect(await store.sign()).toBe(false);
    expect(store.error()).toBe('Write the note before signing.');
  });
});
