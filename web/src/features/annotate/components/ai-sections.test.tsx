import { act, fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { makeEditor, saved } from '@/editor/engine/test-helpers'
import type { Annotation } from '@/editor/engine'
import { useAiSettings } from '../hooks/ai-settings'
import { useEditorUi } from '../hooks/editor-ui-store'
import { ReviewSection } from './ai-sections'

function prediction(id: number, confidence: number): Annotation {
  return saved(id, id * 100, 100, id * 100 + 50, 150, { source: 'ai', confidence, reviewState: 'pending' })
}

describe('the AI panel review section', () => {
  it('counts what the threshold shows and hides, accepts the selected one and accepts all shown', () => {
    const editor = makeEditor([saved(1, 0, 0, 10, 10), prediction(2, 0.9), prediction(3, 0.6), prediction(4, 0.1)])
    useAiSettings.getState().set({ threshold: 0.3 })
    editor.setReviewThreshold(0.3)
    render(<ReviewSection editor={editor} onNextPending={() => undefined} />)
    expect(screen.getByTestId('ai-prediction-counts')).toHaveTextContent('2 shown · 1 hidden below the threshold')
    expect(screen.getByTestId('ai-threshold-value')).toHaveTextContent('30%')

    act(() => {
      editor.select(['srv-2'])
      useEditorUi.getState().set({ selection: ['srv-2'] })
    })
    expect(screen.getByTestId('ai-selected')).toHaveTextContent('Selected prediction: 90% confident')
    fireEvent.click(screen.getByTestId('ai-accept'))
    expect(editor.doc.get('srv-2')?.reviewState).toBe('accepted')
    expect(screen.getByTestId('ai-prediction-counts')).toHaveTextContent('1 shown')

    fireEvent.click(screen.getByTestId('ai-accept-all'))
    expect(editor.doc.all().map((a) => a.reviewState)).toEqual(['none', 'accepted', 'accepted', 'pending'])
    act(() => {
      editor.undo()
    })
    expect(editor.doc.get('srv-3')?.reviewState).toBe('pending')
  })

  it('arrow keys on the threshold slider stay with the slider (they do not change the image)', () => {
    const editor = makeEditor([])
    render(<ReviewSection editor={editor} onNextPending={() => undefined} />)
    let reachedWindow = false
    const listener = () => {
      reachedWindow = true
    }
    window.addEventListener('keydown', listener)
    fireEvent.keyDown(screen.getByTestId('ai-threshold'), { key: 'ArrowRight' })
    window.removeEventListener('keydown', listener)
    expect(reachedWindow).toBe(false)
  })
})
