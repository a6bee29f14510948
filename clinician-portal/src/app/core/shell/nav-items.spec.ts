import { NAV_ITEMS, navItemsFor } from './nav-items';

describe('navigation by role', () => {
  it('shows a doctor the doctor area and no admin section', () => {
    expect(navItemsFor('Practitioner/d1').map((item) => item.label)).toEqual([
      'Home',
      'Today',
      'My patients',
      'Profile and availability',
      'Calendar',
      'Qualifications',
      'My reviews',
    ]);
  });

  it('shows an administrator (no FHIR profile) the admin area and no doctor section', () => {
    expect(navItemsFor(undefined).map((item) => item.label)).toEqual([
      'Home',
      'Verification',
      'Doctors',
      'Specialties',
      'Audit trail',
      'Users',
    ]);
  });

  it('links every admin section under /admin', () => {
    expect(NAV_ITEMS.filter((item) => item.audience === 'admin').every((item) => item.path.startsWith('/admin/'))).toBe(true);
  });
});
