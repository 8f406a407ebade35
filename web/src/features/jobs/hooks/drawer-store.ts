import { create } from 'zustand'

interface JobsDrawerState {
  open: boolean
  setOpen: (open: boolean) => void
}

/** Whether the jobs drawer is open (client state only). */
export const useJobsDrawer = create<JobsDrawerState>((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}))
