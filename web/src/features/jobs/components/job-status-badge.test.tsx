import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { JOB_STATUSES } from '@/lib/api'
import { jobsPollInterval, ACTIVE_POLL_MS, IDLE_POLL_MS } from '../hooks/jobs'
import { JobStatusBadge } from './job-status-badge'

describe('JobStatusBadge', () => {
  it.each(JOB_STATUSES)('labels the %s status', (status) => {
    render(<JobStatusBadge status={status} />)
    const badge = screen.getByTestId('job-status')
    expect(badge).toHaveAttribute('data-status', status)
    expect(badge).toHaveTextContent(new RegExp(status, 'i'))
  })

  it('says Cancelling while a cancel request is pending on a running job', () => {
    render(<JobStatusBadge status="running" cancelRequested />)
    expect(screen.getByTestId('job-status')).toHaveTextContent('Cancelling')
  })

  it('ignores a cancel request once the job has finished', () => {
    render(<JobStatusBadge status="succeeded" cancelRequested />)
    expect(screen.getByTestId('job-status')).toHaveTextContent('Succeeded')
  })
})

describe('jobsPollInterval', () => {
  it('polls every second while a job is queued or running, else every five', () => {
    expect(jobsPollInterval([{ status: 'succeeded' }, { status: 'running' }])).toBe(ACTIVE_POLL_MS)
    expect(jobsPollInterval([{ status: 'queued' }])).toBe(ACTIVE_POLL_MS)
    expect(jobsPollInterval([{ status: 'failed' }, { status: 'cancelled' }])).toBe(IDLE_POLL_MS)
    expect(jobsPollInterval(undefined)).toBe(IDLE_POLL_MS)
  })
})
