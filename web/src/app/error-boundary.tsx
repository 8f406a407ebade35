import { Component, type ErrorInfo, type ReactNode } from 'react'
import { AlertOctagonIcon } from 'lucide-react'
import { Button } from '@/components/ui/button'

interface Props {
  children: ReactNode
}

interface State {
  error: Error | null
}

/** Catches render errors of one page so the shell (sidebar, top bar) stays usable. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Page crashed', error, info.componentStack)
  }

  render(): ReactNode {
    if (!this.state.error) return this.props.children
    return (
      <div role="alert" data-testid="error-boundary" className="mx-auto flex max-w-lg flex-col items-center gap-3 py-20 text-center">
        <AlertOctagonIcon className="size-8 text-destructive" aria-hidden />
        <h1 className="text-lg font-semibold">This page hit an error</h1>
        <p className="text-sm text-muted-foreground">{this.state.error.message}</p>
        <Button variant="outline" onClick={() => this.setState({ error: null })}>
          Try again
        </Button>
      </div>
    )
  }
}
