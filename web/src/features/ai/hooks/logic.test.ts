import { describe, expect, it } from 'vitest'
import type { ReviewModelStats } from '@/lib/api'
import { mlModel } from '@/test/ai'
import { annotateRequest, defaultModel, formProblems, FORM_DEFAULTS, type AnnotateForm } from './annotate-form'
import { addPrompt, defaultPrompts, matchClass } from './prompts'
import { savingSentence, sharesOf, verdictOf } from './review-stats'

const SET = [
  { id: 1, name: 'coca_cola_can', display_name: 'Coca-Cola can', aliases: ['coke'] },
  { id: 2, name: 'bottle', display_name: '', aliases: [] },
]
const CATALOGUE = [...SET, { id: 9, name: 'price_tag', display_name: 'Price tag', aliases: ['label'] }]

describe('prompts and their classes', () => {
  it('default to one prompt per class of the label set, in words a detector reads', () => {
    expect(defaultPrompts(SET)).toEqual([
      { text: 'Coca-Cola can', class_id: 1 },
      { text: 'bottle', class_id: 2 },
    ])
  })

  it('map by name, display name or alias, ignoring case, spaces and underscores; label set first', () => {
    expect(matchClass('COKE', SET, CATALOGUE)).toBe(1)
    expect(matchClass('coca cola can', SET)).toBe(1)
    expect(matchClass('label', SET, CATALOGUE)).toBe(9)
    expect(matchClass('shelf', SET, CATALOGUE)).toBeNull()
  })

  it('adding a typed prompt maps it by name and ignores blanks and duplicates', () => {
    const prompts = defaultPrompts(SET)
    expect(addPrompt(prompts, '  coke ', SET)).toEqual([...prompts, { text: 'coke', class_id: 1 }])
    expect(addPrompt(prompts, 'Bottle', SET)).toEqual(prompts)
    expect(addPrompt(prompts, '   ', SET)).toEqual(prompts)
  })
})

describe('the auto-annotate form', () => {
  const form: AnnotateForm = { scope: 'selected', model: 'grounding-dino-tiny', prompts: defaultPrompts(SET), ...FORM_DEFAULTS }

  it('sends the contract body: selected ids only for the selected scope', () => {
    expect(annotateRequest(3, { ...form, threshold: 0.45 }, [11, 12])).toEqual({
      dataset_id: 3,
      images: { scope: 'selected', image_ids: [11, 12] },
      model: 'grounding-dino-tiny',
      prompts: [
        { text: 'Coca-Cola can', class_id: 1 },
        { text: 'bottle', class_id: 2 },
      ],
      unknown_labels: 'drop',
      threshold: 0.45,
      max_boxes_per_image: 100,
      nms_iou: 0.5,
    })
    expect(annotateRequest(3, { ...form, scope: 'unannotated' }, [11]).images).toEqual({ scope: 'unannotated' })
  })

  it('says what stops it: missing weights, no prompt for a text model, numbers out of range', () => {
    expect(formProblems(form, mlModel(), 2)).toEqual([])
    expect(formProblems(form, mlModel({ present: false }), 2)[0]).toMatch(/Settings → Models/)
    expect(formProblems({ ...form, prompts: [] }, mlModel(), 2)).toEqual(['Add at least one prompt.'])
    // An open-vocabulary model names its own labels: no prompt needed.
    expect(formProblems({ ...form, prompts: [] }, mlModel({ capabilities: ['text_prompt', 'open_vocabulary'] }), 2)).toEqual([])
    expect(formProblems({ ...form, threshold: 1.5 }, mlModel(), 2)).toEqual(['The threshold is between 0 and 1.'])
    expect(formProblems({ ...form, maxBoxes: 0 }, mlModel(), 2)).toHaveLength(1)
    expect(formProblems(form, mlModel(), 0)).toEqual(['No images are selected.'])
    expect(formProblems({ ...form, prompts: [{ text: 'shelf', class_id: null }] }, mlModel(), 2)).toEqual(['Pick a class for every prompt.'])
  })

  it('starts with the first detector whose weights are here', () => {
    const models = [mlModel({ key: 'sam', task: 'segmenter' }), mlModel({ key: 'a', present: false }), mlModel({ key: 'b' })]
    expect(defaultModel(models)).toBe('b')
    expect(defaultModel([mlModel({ key: 'a', present: false })])).toBe('a')
  })

  it("preselects the registry's default trained model", () => {
    const trained = mlModel({ key: 'trained:7', source: 'trained', is_default: true, capabilities: ['fixed_classes'] })
    expect(defaultModel([mlModel({ key: 'b' }), trained])).toBe('trained:7')
  })

  it('sends a trained model no prompts and needs none', () => {
    const trained = mlModel({ key: 'trained:7', source: 'trained', capabilities: ['fixed_classes'], classes: ['cola'] })
    const form: AnnotateForm = { ...FORM_DEFAULTS, scope: 'all', model: 'trained:7', prompts: [{ text: 'shelf', class_id: null }] }
    expect(formProblems({ ...form, prompts: [] }, trained, 0)).toEqual([])
    expect(formProblems(form, trained, 0)).toEqual([])
    expect(annotateRequest(3, form, [], trained).prompts).toEqual([])
    expect(annotateRequest(3, form, [], mlModel()).prompts).toEqual([{ text: 'shelf', class_id: null }])
  })
})

describe('is AI saving time?', () => {
  const stats = (accepted_as_is: number, accepted_after_edit: number, rejected: number): ReviewModelStats => ({
    model: 'grounding-dino-tiny',
    accepted_as_is,
    accepted_after_edit,
    rejected,
    pending: 5,
  })

  it('shares are of the reviewed predictions only (pending left out)', () => {
    expect(sharesOf(stats(60, 20, 20))).toEqual({ reviewed: 100, asIs: 0.6, afterEdit: 0.2, rejected: 0.2 })
  })

  it('says plainly whether the model saves time', () => {
    expect(verdictOf(stats(0, 0, 0))).toBe('none')
    expect(savingSentence(stats(0, 0, 0), 'GD tiny')).toBe('No prediction of GD tiny has been reviewed yet.')
    expect(savingSentence(stats(60, 20, 20), 'GD tiny')).toBe("AI is saving time: 60% of GD tiny's predictions were kept exactly as they were.")
    expect(savingSentence(stats(20, 40, 40), 'GD tiny')).toBe(
      "AI is saving a little time: 60% of GD tiny's predictions were kept, but 40% needed an edit first.",
    )
    expect(savingSentence(stats(10, 10, 80), 'GD tiny')).toMatch(/^AI is not saving time yet: 80% of GD tiny's predictions were rejected\./)
    expect(savingSentence(stats(3, 0, 1), 'GD tiny')).toMatch(/only 4 reviewed so far/)
  })
})
