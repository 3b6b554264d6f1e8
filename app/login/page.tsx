// Sign-in page; a signed-in user goes straight on.
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/login-form.tsx';
import { consolePathOr } from '@/lib/console-path.ts';
import { currentActor } from '@/server/auth/page-session.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · Fleetboot' };

/** Only paths inside the console: never an open redirect to another site. */
function safeNext(value: string | string[] | undefined): string {
  return consolePathOr(Array.isArray(value) ? value[0] : value);
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (await currentActor()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Fleetboot</h1>
          <p className="mt-1 text-sm text-slate-600">Sign in to the boot console</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <LoginForm next={next} />
        </div>
      </div>
    </main>
  );
}
