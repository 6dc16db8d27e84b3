// Limits used once here and shared by the mongoose models, the API schemas and the client forms.
// Numbers with a domain source name it; the rest are product limits (sanity bounds on input).
export const LIMITS = {
  /** Children's OMNI RPE scale runs 0–10 (Robertson et al. 2000). */
  rpe: { min: 0, max: 10 },
  /** Plausible heart rates for children during exercise (beats per minute) — product sanity bound. */
  heartRate: { min: 40, max: 240 },
  /** MET values: 1 = rest; the Youth Compendium (Butte 2018) tops out below 15 — product bound 20. */
  mets: { min: 1, max: 20 },
  /** Minutes in one session or activity block — product bound. */
  sessionMinutes: { min: 1, max: 240 },
  /** Programme length in weeks — product bound (two school years). */
  plannedWeeks: { min: 1, max: 104 },
  /** Children in one group — product bound; the register is embedded in the session document. */
  groupSize: { max: 60 },
  /** Items in one instrument definition — product bound. */
  instrumentItems: { max: 200 },
  /** Ages of the children the product is for (WHO 2020 guideline band 5–17 y). */
  childAge: { min: 5, max: 17 },
  /**
   * Password length. NIST SP 800-63B: at least 8; we ask 10 because accounts reach children's
   * mental-health data. The rest of the policy: shared/domain/password-policy.ts.
   */
  password: { min: 10, max: 200 },
  /** Free-text lengths. */
  text: { short: 120, long: 2000 },
} as const;

/**
 * Accounts and schools: used by the API schemas (schemas/accounts.ts), the mongoose models and the
 * client forms — here, without zod, so the sign-in and set-up pages do not download a validator.
 */
export const accountLimits = {
  usernameMin: 3,
  usernameMax: 40,
  displayNameMax: 80,
  /** LIMITS.password; the rest of the password rule: shared/domain/password-policy.ts. */
  passwordMin: LIMITS.password.min,
  passwordMax: LIMITS.password.max,
  schoolNameMax: 120,
  regionMax: 80,
  schoolsPerUserMax: 50,
} as const;

/** Calendar date as school-local yyyy-MM-dd. */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Clock time HH:mm (24 h). */
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
