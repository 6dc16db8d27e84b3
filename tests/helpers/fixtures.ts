// A small world for the access tests: an admin, two schools, one user of each role in school A.
import { createSchool } from '../../server/modules/schools/service.ts';
import { createUser } from '../../server/modules/users/service.ts';
import { PASSWORD } from './app.ts';

export async function seedAccounts() {
  const admin = await createUser({ username: 'admin', displayName: 'Admin', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
  const actor = { id: admin.id, username: admin.username, role: 'admin' as const, schoolIds: [] };
  const schoolA = await createSchool(actor, { name: 'Rural School A', region: 'Hunan', county: 'Xinhua', setting: 'rural', timeZone: 'Asia/Shanghai' });
  const schoolB = await createSchool(actor, { name: 'Urban School B', region: 'Hunan', county: 'Loudi', setting: 'urban', timeZone: 'Asia/Shanghai' });
  const users = {
    admin,
    teacher: await createUser({ username: 'teacher', displayName: 'PE Teacher', password: PASSWORD, role: 'pe_teacher', schoolIds: [schoolA.id] }, actor),
    counsellor: await createUser({ username: 'counsellor', displayName: 'Counsellor', password: PASSWORD, role: 'counsellor', schoolIds: [schoolA.id] }, actor),
    researcher: await createUser({ username: 'researcher', displayName: 'Researcher', password: PASSWORD, role: 'researcher', schoolIds: [schoolA.id] }, actor),
  };
  return { users, schoolA, schoolB };
}
