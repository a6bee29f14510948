import { TestBed } from '@angular/core/testing';
import { Connectivity } from './connectivity';

describe('Connectivity', () => {
  it('follows the browser going offline and online again', () => {
    const connectivity = TestBed.inject(Connectivity);
    const onLine = vi.spyOn(navigator, 'onLine', 'get');
    onLine.mockReturnValue(false);
    window.dispatchEvent(new Event('offline'));
    expect(connectivity.online()).toBe(false);
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    expect(connectivity.online()).toBe(true);
    onLine.mockRestore();
  });
});
