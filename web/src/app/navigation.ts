/** The grouped sidebar: one entry per top-level page, in the order the plan lays out. */
import {
  ActivityIcon,
  BoxIcon,
  BrainIcon,
  CpuIcon,
  DatabaseIcon,
  DumbbellIcon,
  FolderOpenIcon,
  ImageIcon,
  LayoutDashboardIcon,
  LinkIcon,
  type LucideIcon,
  PenToolIcon,
  ScissorsIcon,
  TagsIcon,
  WaypointsIcon,
  WrenchIcon,
} from 'lucide-react'

export interface NavItem {
  label: string
  to: string
  icon: LucideIcon
  /** The h1 the page renders (used by tests and the document title). */
  heading: string
  /** Match the path exactly (for parents of other entries). */
  end?: boolean
  /** Listed only for admins. */
  adminOnly?: boolean
}

export interface NavGroup {
  id: string
  /** Section header; null for the ungrouped top entries. */
  label: string | null
  items: NavItem[]
}

export const NAV_GROUPS: NavGroup[] = [
  {
    id: 'main',
    label: null,
    items: [{ label: 'Dashboard', to: '/od', icon: LayoutDashboardIcon, heading: 'Dashboard', end: true }],
  },
  {
    id: 'pr',
    label: 'Product recognition',
    items: [
      { label: 'Products', to: '/products', icon: BoxIcon, heading: 'Products' },
      { label: 'Datasets', to: '/datasets', icon: DatabaseIcon, heading: 'Product datasets' },
      { label: 'Training', to: '/training', icon: DumbbellIcon, heading: 'Embedding training' },
      { label: 'Embeddings', to: '/embeddings', icon: WaypointsIcon, heading: 'Embeddings' },
      { label: 'Cutouts', to: '/cutouts', icon: ScissorsIcon, heading: 'Cutouts' },
      { label: 'Matching', to: '/matching', icon: LinkIcon, heading: 'Matching' },
    ],
  },
  {
    id: 'od',
    label: 'Object detection',
    items: [
      { label: 'Images', to: '/od/images', icon: ImageIcon, heading: 'Images' },
      { label: 'Datasets', to: '/od/datasets', icon: FolderOpenIcon, heading: 'Datasets' },
      { label: 'Annotate', to: '/od/annotate', icon: PenToolIcon, heading: 'Annotate' },
      { label: 'Classes', to: '/od/classes', icon: TagsIcon, heading: 'Classes' },
      { label: 'Training', to: '/od/training', icon: BrainIcon, heading: 'Training' },
      { label: 'Models', to: '/od/models', icon: CpuIcon, heading: 'Models' },
    ],
  },
  {
    id: 'system',
    label: 'System',
    items: [{ label: 'Jobs', to: '/jobs', icon: ActivityIcon, heading: 'Jobs' }],
  },
  {
    id: 'admin',
    label: 'Admin',
    items: [{ label: 'Maintenance', to: '/admin/maintenance', icon: WrenchIcon, heading: 'Maintenance', adminOnly: true }],
  },
]

/** The groups and entries a user sees: admin-only entries for admins, and no empty group. */
export function visibleGroups(isAdmin: boolean): NavGroup[] {
  return NAV_GROUPS.map((group) => ({ ...group, items: group.items.filter((item) => isAdmin || !item.adminOnly) })).filter(
    (group) => group.items.length > 0,
  )
}
