// The console frame: navigation, who is signed in (and as what), sign out, toasts.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { NavItem } from '@/components/console-nav.tsx';
import { ConsoleNav } from '@/components/console-nav.tsx';
import { GlobalSearch } from '@/components/global-search.tsx';
import { SignOutButton } from '@/components/sign-out-button.tsx';
import { ToastProvider } from '@/components/toast.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor();
  const items: NavItem[] = [
    { href: '/', label: 'Dashboard' },
    { href: '/fleet', label: 'Fleet' },
    { href: '/hosts', label: 'Hosts' },
    { href: '/discovered', label: 'Discovered' },
    { href: '/roles', label: 'Roles' },
    { href: '/images', label: 'Images' },
    { href: '/networks', label: 'Networks' },
    { href: '/boot-servers', label: 'Boot servers' },
    { href: '/audit', label: 'Audit' },
    { href: '/tokens', label: 'Tokens' },
    { href: '/account', label: 'Account' },
    ...(allows(actor, 'admin') ? [{ href: '/users', label: 'Users' }] : []),
  ];
  return (
    <ToastProvider>
      <div className="flex min-h-screen flex-col md:flex-row">
        <aside className="shrink-0 bg-slate-900 md:w-52">
          <div className="flex flex-col gap-4 px-3 py-4 md:sticky md:top-0 md:h-screen">
          <Link href="/" className="px-3 text-lg font-semibold tracking-tight text-white">
            Fleetboot
          </Link>
          <GlobalSearch />
          <ConsoleNav items={items} />
          <div className="mt-auto flex items-center justify-between gap-2 border-t border-slate-700 px-3 pt-4 md:flex-col md:items-start">
            <p className="text-sm text-slate-200" data-testid="signed-in-user">
              <span className="font-medium">{actor.username}</span>
              <span className="ml-2 rounded bg-slate-700 px-1.5 py-0.5 text-xs text-slate-200">{actor.role}</span>
            </p>
            <SignOutButton />
          </div>
          </div>
        </aside>
        <main className="min-w-0 flex-1 px-4 py-6 md:px-8">{children}</main>
      </div>
    </ToastProvider>
  );
}
