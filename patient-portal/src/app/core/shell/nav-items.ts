/** One entry of the side navigation. */
export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** An icon registered in icons.ts. */
  readonly icon: string;
}

/** The patient portal's sections, in menu order. A feature adds its entry here. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/home', label: 'Home', icon: 'home' },
  { path: '/doctors', label: 'Find a doctor', icon: 'search' },
  { path: '/appointments', label: 'Appointments', icon: 'event' },
  // Medical records
  { path: '/follow-ups', label: 'Follow-ups', icon: 'update' },
  { path: '/history', label: 'Medical history', icon: 'history' },
  { path: '/prescriptions', label: 'Prescriptions', icon: 'medication' },
  { path: '/reports', label: 'Reports', icon: 'description' },
  { path: '/reviews', label: 'Reviews', icon: 'star' },
  { path: '/profile', label: 'Profile', icon: 'person' },
];

/** The sections for a signed-in user; every patient sees the same ones. */
export function navItemsFor(_fhirUser: string | undefined): readonly NavItem[] {
  return NAV_ITEMS;
}
