'use client';
// Success toasts: one provider in the console layout, so a toast survives a client navigation
// (e.g. "host created" after moving to the host's page).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

interface Toast {
  id: number;
  message: string;
}

const ToastContext = createContext<(message: string) => void>(() => undefined);

const toastMs = 6000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback((message: string) => {
    setToasts((t) => [...t, { id: Date.now() + Math.random(), message }]);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed right-4 bottom-4 z-50 flex flex-col gap-2">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDone={() => setToasts((all) => all.filter((x) => x.id !== t.id))} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDone }: { toast: Toast; onDone: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onDone, toastMs);
    return () => clearTimeout(timer);
  }, [onDone]);
  return (
    <div role="status" className="pointer-events-auto flex items-center gap-2 rounded-md bg-slate-900 px-4 py-2.5 text-sm text-white shadow-lg">
      <span aria-hidden className="text-green-400">✓</span>
      {toast.message}
    </div>
  );
}

export function useToast(): (message: string) => void {
  return useContext(ToastContext);
}
