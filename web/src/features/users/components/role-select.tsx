import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { Role } from '@/lib/api'
import { ROLES } from '../types'

interface RoleSelectProps {
  id?: string
  value: Role
  onChange: (role: Role) => void
  disabled?: boolean
  'aria-label'?: string
  className?: string
}

/** Admin / annotator / viewer (each item's tooltip says what the role may do). */
export function RoleSelect({ id, value, onChange, disabled, className, ...rest }: RoleSelectProps) {
  return (
    <Select value={value} onValueChange={(next) => onChange(next as Role)} disabled={disabled}>
      <SelectTrigger id={id} className={className} aria-label={rest['aria-label']}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {ROLES.map((role) => (
          <SelectItem key={role.value} value={role.value} title={role.description}>
            {role.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}
