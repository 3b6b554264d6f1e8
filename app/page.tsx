import { requirePageActor } from '@/server/auth/page-session.ts';
export const dynamic = 'force-dynamic';
export default async function Home() {
  const actor = await requirePageActor();
  return <main className="p-8">Hello {actor.username}</main>;
}
