import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { errorMessage, type Product } from '@/lib/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { formValuesOf, patchBody, serverFieldErrors, validateProductForm, type ProductFormErrors, type ProductFormValues } from '../hooks/product-form'
import { useUpdateProduct } from '../hooks/queries'
import { ProductFields } from './product-fields'

/** The product's fields, editable in place; Save sends only what changed. */
export function ProductEditCard({ product, canWrite }: { product: Product; canWrite: boolean }) {
  const [values, setValues] = useState<ProductFormValues>(() => formValuesOf(product))
  const [errors, setErrors] = useState<ProductFormErrors>({})
  const update = useUpdateProduct(product.id)
  // A refetch (a save, frames arriving) refreshes the form unless the person has unsaved edits.
  const shown = useRef(product)
  useEffect(() => {
    const before = shown.current
    shown.current = product
    setValues((v) => (Object.keys(patchBody(before, v)).length === 0 ? formValuesOf(product) : v))
  }, [product])
  const patch = patchBody(product, values)
  const dirty = Object.keys(patch).length > 0
  const save = (event: FormEvent) => {
    event.preventDefault()
    const found = validateProductForm(values)
    setErrors(found)
    if (Object.keys(found).length > 0 || !dirty) return
    update.mutate(patch, {
      onSuccess: () => toast.success('Saved'),
      onError: (error) => {
        setErrors(serverFieldErrors(error))
        toast.error(errorMessage(error))
      },
    })
  }
  return (
    <Card data-testid="product-edit">
      <CardHeader>
        <CardTitle className="text-base">Details</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="flex flex-col gap-4" noValidate>
          <ProductFields values={values} errors={errors} onChange={(p) => setValues((v) => ({ ...v, ...p }))} prefix="product" disabled={!canWrite} />
          <div className="flex items-center justify-between gap-2">
            <p className="text-xs text-muted-foreground">
              Created {formatDateTime(product.created_at)} · updated {formatRelative(product.updated_at)}
            </p>
            <div className="flex gap-2">
              <Button type="button" variant="outline" size="sm" disabled={!dirty || update.isPending} onClick={() => {
                  setValues(formValuesOf(product))
                  setErrors({})
                }}
              >
                Reset
              </Button>
              <Button type="submit" size="sm" disabled={!dirty || update.isPending || !canWrite} data-testid="save-product">
                {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                Save
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  )
}
