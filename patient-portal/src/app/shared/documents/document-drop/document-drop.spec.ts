import { TestBed } from '@angular/core/testing';
import { provideIcons } from '../../../core/shell/icons';
import { DICOM, DocumentDrop, DOCUMENT_KINDS, refusal } from './document-drop';

const pdf = (size = 10, name = 'licence.pdf') => new File([new Uint8Array(size)], name, { type: 'application/pdf' });

describe('DocumentDrop', () => {
  function render(maxBytes = 1000, kinds = DOCUMENT_KINDS) {
    TestBed.configureTestingModule({ imports: [DocumentDrop], providers: [provideIcons()] });
    const fixture = TestBed.createComponent(DocumentDrop);
    fixture.componentRef.setInput('label', 'Licence file');
    fixture.componentRef.setInput('maxBytes', maxBytes);
    fixture.componentRef.setInput('kinds', kinds);
    const picked: File[] = [];
    fixture.componentInstance.picked.subscribe((file) => picked.push(file));
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    const drop = (file: File) => {
      const event = new Event('drop', { cancelable: true }) as DragEvent;
      Object.defineProperty(event, 'dataTransfer', { value: { files: [file] } });
      element.querySelector('[data-testid="drop-zone"]')?.dispatchEvent(event);
      fixture.detectChanges();
    };
    return { fixture, element, picked, drop };
  }

  it('emits a dropped PDF within the limit', () => {
    const { picked, drop, element } = render();
    drop(pdf());
    expect(picked.map((file) => file.name)).toEqual(['licence.pdf']);
    expect(element.querySelector('[role="alert"]')).toBeNull();
  });

  it('explains a file of another type or over the limit, and does not emit it', () => {
    const { picked, drop, element } = render();
    drop(new File(['x'], 'notes.docx', { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }));
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('notes.docx is not a PDF, PNG or JPEG file.');
    drop(pdf(2 * 1024 * 1024, 'big.pdf'));
    expect(picked).toEqual([]);
  });

  it('names the limit, labels the picker, and shows the progress of an upload under way', () => {
    const { fixture, element } = render(25 * 1024 * 1024);
    expect(element.textContent).toContain('up to 25 MB');
    expect(element.querySelector('input[type="file"]')?.getAttribute('aria-label')).toBe('Licence file');
    expect(element.querySelector('input[type="file"]')?.getAttribute('accept')).toBe(
      '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg',
    );
    fixture.componentRef.setInput('percent', 40);
    fixture.detectChanges();
    expect(element.textContent).toContain('Uploading… 40%');
  });

  it('takes the kinds it is given, named in its text and its picker', () => {
    const { element, picked, drop } = render(25 * 1024 * 1024, [...DOCUMENT_KINDS, DICOM]);
    expect(element.textContent).toContain('Drag a file here (PDF, PNG, JPEG or DICOM, up to 25 MB)');
    expect(element.querySelector('input[type="file"]')?.getAttribute('accept')).toContain('.dcm');
    drop(new File(['DICM'], 'ct.dcm'));
    expect(picked.map((file) => file.name)).toEqual(['ct.dcm']);
  });
});

describe('refusal', () => {
  it('accepts PDF, PNG and JPEG up to the limit, refuses empty and larger files', () => {
    expect(refusal(pdf(), 100)).toBeUndefined();
    expect(refusal(new File(['x'], 'scan.png', { type: 'image/png' }), 100)).toBeUndefined();
    expect(refusal(new File(['x'], 'scan.jpg', { type: 'image/jpeg' }), 100)).toBeUndefined();
    expect(refusal(pdf(0), 100)).toBe('licence.pdf is empty.');
    expect(refusal(pdf(3 * 1024 * 1024), 2 * 1024 * 1024)).toBe('licence.pdf is larger than the limit of 2 MB.');
    expect(refusal(new File(['x'], 'run.exe', { type: 'application/x-msdownload' }), 100)).toContain('is not a PDF');
    expect(refusal(new File(['x'], 'scan.PDF'), 100)).toBeUndefined();
    expect(refusal(new File(['x'], 'ct.dcm'), 100)).toBe('ct.dcm is not a PDF, PNG or JPEG file.');
    expect(refusal(new File(['x'], 'ct.dcm'), 100, [...DOCUMENT_KINDS, DICOM])).toBeUndefined();
  });
});
