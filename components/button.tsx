// Buttons and button-looking links, in three weights.
import Link from 'next/link';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

const kinds = {
  primary: 'bg-blue-700 text-white hover:bg-blue-800 disabled:bg-blue-400',
  secondary: 'bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400',
  danger: 'bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 disabled:text-red-300',
} as const;
type Kind = keyof typeof kinds;

const base = 'inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap shadow-xs focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:cursor-not-allowed';

export function Button({ kind = 'primary', className = '', ...props }: { kind?: Kind } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type="button" {...props} className={`${base} ${kinds[kind]} ${className}`} />;
}

export function ButtonLink({ href, kind = 'primary', children }: { href: string; kind?: Kind; children: ReactNode }) {
  return (
    <Link href={href} className={`${base} ${kinds[kind]}`}>
      {children}
    </Link>
  );
}
