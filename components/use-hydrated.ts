'use client';
// false in the server's HTML, true once React runs in the browser. Buttons that act through
// JavaScript stay disabled until then: a click before hydration would be lost, or make the
// browser submit a form natively (a GET with the fields in the URL).
import { useSyncExternalStore } from 'react';

const subscribeToNothing = () => () => undefined;

export function useHydrated(): boolean {
  return useSyncExternalStore(subscribeToNothing, () => true, () => false);
}
