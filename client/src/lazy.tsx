// Views whose code — and heavy dependencies such as Chart.js — loads the first time they are
// shown, so a teacher's phone at the sports ground fetches the register without the charts.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorAlert, Loading } from './components/ui.tsx';

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
    if (error) return <ErrorAlert error={error} />;
    return Component ? <Component {...props} /> : <Loading />;
  };
}
