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
  SparklesIcon,
  ScissorsIcon,
  ShapesIcon,
  TagsIcon,
  UsersIcon,
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
  /** Shown only to admins (the API refuses everyone else anyway). */
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
      { label: 'Models', to: '/models', icon: ShapesIcon, heading: 'Embedding models' },
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
    items: [
      { label: 'Jobs', to: '/jobs', icon: ActivityIcon, heading: 'Jobs' },
      { label: 'AI models', to: '/settings/models', icon: SparklesIcon, heading: 'AI models' },
    ],
  },
  {
    id: 'admin',
    label: 'Admin',
    items: [
      { label: 'Users', to: '/admin/users', icon: UsersIcon, heading: 'Users', adminOnly: true },
      { label: 'Maintenance', to: '/admin/maintenance', icon: WrenchIcon, heading: 'Maintenance', adminOnly: true },
    ],
  },
]

/** The groups and entries a person with this role sees; groups left empty are dropped. */
export function visibleNavGroups(role: string | undefined): NavGroup[] {
  return NAV_GROUPS.map((group) => ({
    ...group,
    items: group.items.filter((item) => !item.adminOnly || role === 'admin'),
  })).filter((group) => group.items.length > 0)
}
