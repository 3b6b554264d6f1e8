// Detail pages: a malformed id or a missing record is the 404 page, anything else is an error.
import { notFound } from 'next/navigation';
import { DomainError } from '@/server/errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findOr404<T>(id: string, get: (id: string) => Promise<T>): Promise<T> {
  if (!uuidPattern.test(id)) notFound();
  try {
    return await get(id);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found') notFound();
    throw err;
  }
}
