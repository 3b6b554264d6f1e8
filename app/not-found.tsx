// Any URL outside the console's pages.
import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-2 bg-slate-100 px-4 text-center">
      <h1 className="text-xl font-semibold text-slate-900">Page not found</h1>
      <p className="text-sm text-slate-600">Fleetboot has no page at this address.</p>
      <Link href="/" className="mt-2 text-sm font-medium text-blue-700 hover:underline">
        Go to the dashboard
      </Link>
    </main>
  );
}
