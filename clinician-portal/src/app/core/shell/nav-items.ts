/** Who sees a section: doctors (a Practitioner profile), administrators (no FHIR profile) or both. */
export type NavAudience = 'doctor' | 'admin' | 'everyone';

/** One entry of the side navigation. */
export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** An icon registered in icons.ts. */
  readonly icon: string;
  readonly audience: NavAudience;
}

/** The clinician portal's sections, in menu order. A feature adds its entry here. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/home', label: 'Home', icon: 'home', audience: 'everyone' },
  { path: '/today', label: 'Today', icon: 'event', audience: 'doctor' },
  { path: '/patients', label: 'My patients', icon: 'person', audience: 'doctor' },
  { path: '/availability', label: 'Profile and availability', icon: 'schedule', audience: 'doctor' },
  { path: '/calendar', label: 'Calendar', icon: 'event', audience: 'doctor' },
  { path: '/onboarding', label: 'Qualifications', icon: 'description', audience: 'doctor' },
  { path: '/reviews', label: 'My reviews', icon: 'star', audience: 'doctor' },
  { path: '/admin/verification', label: 'Verification', icon: 'verified', audience: 'admin' },
  { path: '/admin/doctors', label: 'Doctors', icon: 'person', audience: 'admin' },
  { path: '/admin/specialties', label: 'Specialties', icon: 'category', audience: 'admin' },
  { path: '/admin/audit', label: 'Audit trail', icon: 'history', audience: 'admin' },
  { path: '/admin/users', label: 'Users', icon: 'person', audience: 'admin' },
];

/** The sections for a signed-in user: doctors have a Practitioner as `fhirUser`, administrators none. */
export function navItemsFor(fhirUser: string | undefined): readonly NavItem[] {
  const audience: NavAudience = fhirUser === undefined ? 'admin' : 'doctor';
  return NAV_ITEMS.filter((item) => item.audience === 'everyone' || item.audience === audience);
}
