// Routes of the counsellors' flows (issue 6), kept here so app.tsx needs one line. Answers and
// scores are for counsellors and admins only; researchers may read the instrument library.
import type { JSX } from 'preact';
import type { Wave } from '../../../../shared/schemas/child.ts';
import type { User } from '../../api/types.ts';
import { match } from '../../router.ts';
import { ForbiddenView } from '../misc.tsx';
import { lazyView } from '../../lazy.tsx';

// Every view loads on demand (see app.tsx).
const ChildProfileView = lazyView(() => import('../child-profile/ChildProfileView.tsx').then((m) => m.ChildProfileView));
const EntryView = lazyView(() => import('./EntryView.tsx').then((m) => m.EntryView));
const HubView = lazyView(() => import('./HubView.tsx').then((m) => m.HubView));
const InstrumentFormView = lazyView(() => import('../instruments/InstrumentFormView.tsx').then((m) => m.InstrumentFormView));
const InstrumentsView = lazyView(() => import('../instruments/InstrumentsView.tsx').then((m) => m.InstrumentsView));
const WavesView = lazyView(() => import('./WavesView.tsx').then((m) => m.WavesView));
const WorklistView = lazyView(() => import('../worklist/WorklistView.tsx').then((m) => m.WorklistView));

export function assessmentRoutes(path: string, query: URLSearchParams, user: User): JSX.Element | null {
  const canAssess = user.role === 'counsellor' || user.role === 'admin';
  const assessOnly = (view: JSX.Element) => (canAssess ? view : <ForbiddenView />);
  const libraryReader = (view: JSX.Element) => (user.role === 'pe_teacher' ? <ForbiddenView /> : view);

  if (match('/instruments', path)) return libraryReader(<InstrumentsView />);
  if (match('/instruments/new', path)) return user.role === 'admin' ? <InstrumentFormView key="new" code={null} /> : <ForbiddenView />;
  const instrument = match('/instruments/:code', path);
  if (instrument) return libraryReader(<InstrumentFormView key={instrument.code} code={instrument.code ?? null} />);

  if (match('/assessments', path)) return assessOnly(<HubView query={query} />);
  if (match('/assessments/enter', path)) {
    const mode = {
      kind: 'create' as const,
      programmeId: query.get('programmeId') ?? '',
      wave: (query.get('wave') ?? 'pre') as Wave,
      instrument: query.get('instrument') ?? '',
      childId: query.get('childId') ?? '',
    };
    return assessOnly(<EntryView key={query.toString()} mode={mode} />);
  }
  const second = match('/assessments/:id/second-entry', path);
  if (second) return assessOnly(<EntryView key={`second-${second.id}`} mode={{ kind: 'second', id: second.id ?? '' }} />);
  const assessment = match('/assessments/:id', path);
  if (assessment) return assessOnly(<EntryView key={`edit-${assessment.id}`} mode={{ kind: 'edit', id: assessment.id ?? '' }} />);

  const waves = match('/programme-waves/:id', path);
  if (waves) return assessOnly(<WavesView key={waves.id} programmeId={waves.id ?? ''} />);
  if (match('/worklist', path)) return assessOnly(<WorklistView />);
  const profile = match('/child-profile/:id', path);
  if (profile) return assessOnly(<ChildProfileView key={profile.id} childId={profile.id ?? ''} />);
  return null;
}
