import { NAV_ITEMS, navItemsFor } from './nav-items';

describe('navigation', () => {
  it('shows every patient all sections of the patient portal', () => {
    expect(navItemsFor('Patient/p1')).toEqual(NAV_ITEMS);
    expect(NAV_ITEMS.map((item) => item.label)).toEqual([
      'Home',
      'Find a doctor',
      'Appointments',
      'Follow-ups',
      'Medical history',
      'Prescriptions',
      'Reports',
      'Reviews',
      'Profile',
    ]);
  });
});
