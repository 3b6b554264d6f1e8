'use client';
// Form submission state shared by every console form: pending flag, errors per field, the
// form-level error, and a toast + refresh on success.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest, type ApiFailure, type ApiResult } from './api-request.ts';
import { useToast } from './toast.tsx';

export interface ApiFormState {
  pending: boolean;
  fieldErrors: Record<string, string>;
  formError: string | null;
  failure: ApiFailure | null;
  submit<T>(request: { method: 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown; contentType?: string }, onSuccess: { toast: string | ((data: T) => string); then?: (data: T) => void }): Promise<ApiResult<T>>;
}

/**
 * `fields` lists the names of the form's inputs: an error naming one of them goes next to it,
 * any other goes above the form.
 */
export function useApiForm(fields: readonly string[]): ApiFormState {
  const router = useRouter();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  async function submit<T>(request: { method: 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown; contentType?: string }, onSuccess: { toast: string | ((data: T) => string); then?: (data: T) => void }) {
    setPending(true);
    const result = await apiRequest<T>(request.method, request.path, request.body, request.contentType);
    setPending(false);
    if (result.ok) {
      setFieldErrors({});
      setFormError(null);
      setFailure(null);
      toast(typeof onSuccess.toast === 'string' ? onSuccess.toast : onSuccess.toast(result.data));
      if (onSuccess.then) onSuccess.then(result.data);
      else router.refresh();
      return result;
    }
    const mine = Object.fromEntries(Object.entries(result.fieldErrors).filter(([f]) => fields.includes(f)));
    setFieldErrors(mine);
    setFormError(Object.keys(mine).length > 0 ? null : result.error);
    setFailure(result);
    return result;
  }

  return { pending, fieldErrors, formError, failure, submit };
}
