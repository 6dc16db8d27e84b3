// Views whose code — and heavy dependencies such as Chart.js or zod — loads the first time they
// are shown: every view is one (app.tsx), so a teacher's phone at the sports ground fetches the
// app shell and the register, not the charts, forms and validators of other people's pages.
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorAlert, Loading } from './components/ui.tsx';

const shownListeners = new Set<() => void>();

/** Calls `listener` once, after the next view that had to be downloaded first has rendered. */
export function onceViewShown(listener: () => void): () => void {
  const once = () => {
    shownListeners.delete(once);
    listener();
  };
  shownListeners.add(once);
  return () => shownListeners.delete(once);
}

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyView(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (Component) return;
      let alive = true;
      pending ??= load().then((c) => (loaded = c));
      pending.then(
        (c) => alive && setComponent(() => c),
        (e: unknown) => {
          pending = null; // a failed download (bad network) can be retried by coming back
          if (alive) setError(e);
        },
      );
      return () => {
        alive = false;
      };
    }, [Component]);
    // Rendered after a download: tell whoever waits for it (focus moves to its heading).
    const arrivedLate = useRef(Component === null);
    useEffect(() => {
      if (!Component || !arrivedLate.current) return;
      arrivedLate.current = false;
      for (const listener of [...shownListeners]) listener();
    }, [Component]);
    if (error) return <ErrorAlert error={error} />;
    return Component ? <Component {...props} /> : <Loading />;
  };
}
