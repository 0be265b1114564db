// A value that views re-render on: the one piece of state plumbing the client needs.
import { useEffect, useState } from "preact/hooks";

export class Observable<T> {
  private readonly listeners = new Set<(v: T) => void>();
  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(v: T): void {
    this.current = v;
    for (const fn of [...this.listeners]) fn(v);
  }

  subscribe(fn: (v: T) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
}

export function useObservable<T>(o: Observable<T>): T {
  const [, force] = useState(0);
  const rendered = o.value;
  useEffect(() => {
    const off = o.subscribe(() => force((n) => n + 1));
    // A change between render and subscription (a child's effect runs first) must not be lost.
    if (o.value !== rendered) force((n) => n + 1);
    return off;
  }, [o]);
  return o.value;
}
