/** One entry of the side navigation. */
export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** An icon registered in icons.ts. */
  readonly icon: string;
}

/** The clinician portal's sections, in menu order. A feature adds its entry here. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/home', label: 'Home', icon: 'home' },
  { path: '/patients', label: 'Patients', icon: 'person' },
  { path: '/reviews', label: 'My reviews', icon: 'star' },
  { path: '/onboarding', label: 'My profile', icon: 'description' },
];
