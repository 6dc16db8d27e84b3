// API schemas of the children roster, the CSV roster import and the sports groups. One place for
// the limits and the cross-field rules, used by the API (validation), the mongoose models (bounds)
// and the client forms (the same messages before anything is sent).
import { z } from 'zod';
import { findActivity } from '../domain/activities.ts';
import { ageOn, isValidIsoDate, schoolToday } from '../domain/dates.ts';
import { LIMITS } from '../limits.ts';
import { objectIdSchema } from './accounts.ts';
import { caregivers, leftBehindStatuses, sexes } from './child.ts';
import { isoDateSchema } from './common.ts';
import { lineText, nameText } from './text.ts';

export const rosterLimits = {
  /** Same bound as the Child model. */
  displayNameMax: 80,
  classNameMax: 40,
  /** China's school grades: 6 primary + 3 junior secondary + 3 senior secondary (model bound). */
  grade: { min: 1, max: 12 },
  /**
   * Age on the day of entry — product sanity bound around the product's 5–17 y band (LIMITS.childAge,
   * WHO 2020): catches typos such as a birth year of 2041 or 1914, and leaves a few years'
   * margin so a record stays editable after a programme ends.
   */
  ageOnEntry: { min: LIMITS.childAge.min - 2, max: LIMITS.childAge.max + 3 },
  /** Months since separation cannot exceed the child's age; this is the absolute cap (20 y). */
  monthsSinceSeparationMax: 240,
  /** Rows in one CSV import — product bound: a large school's whole roster (≈ 2 000 pupils) in one go. */
  importRows: 2000,
  /** CSV text in one import request (2 000 rows of ≈ 100–200 bytes with Chinese text, with margin). */
  importBytes: 1_000_000,
  /** A preview can be confirmed for this long (product choice: one sitting). */
  importPreviewMinutes: 60,
  /** Paging of the roster list; 500 lets the group page offer a whole grade at once. */
  pageSizeMax: 500,
  searchMax: 80,
  groupNameMax: 80,
  coachesMax: 10,
  /** Current members of one group: the register is embedded in the session (LIMITS.groupSize). */
  groupMembersMax: LIMITS.groupSize.max,
  /** Membership entries kept in one group document, history included — product bound. */
  membershipEntriesMax: 300,
} as const;

const versionSchema = z.number().int().min(0);

export const displayNameSchema = nameText(rosterLimits.displayNameMax, {
  requiredMessage: 'a name is required',
  normalize: (s) => s.normalize('NFC').trim().replace(/\s+/g, ' '),
});

export const childFieldShapes = {
  displayName: displayNameSchema,
  sex: z.enum(sexes),
  birthYear: z.number().int().min(1990).max(2100),
  birthMonth: z.number().int().min(1).max(12),
  grade: z.number().int().min(rosterLimits.grade.min).max(rosterLimits.grade.max),
  className: lineText(rosterLimits.classNameMax),
  leftBehindStatus: z.enum(leftBehindStatuses),
  /** Required when a parent is away; null when none is. */
  monthsSinceSeparation: z.number().int().min(0).max(rosterLimits.monthsSinceSeparationMax).nullable(),
  caregiver: z.enum(caregivers),
  boarding: z.boolean(),
  /** yyyy-MM-dd, not in the future; null until the guardian has consented. */
  guardianConsentDate: isoDateSchema.nullable(),
  childAssent: z.boolean(),
};

export interface ChildRuleInput {
  birthYear: number;
  birthMonth: number;
  leftBehindStatus: (typeof leftBehindStatuses)[number];
  monthsSinceSeparation: number | null;
  guardianConsentDate: string | null;
}

/** Stable codes of the cross-field rules; the client translates them. */
export const childRuleCodes = [
  'birth_in_future',
  'age_out_of_range',
  'months_required',
  'months_not_applicable',
  'months_exceed_age',
  'consent_in_future',
] as const;
export type ChildRuleCode = (typeof childRuleCodes)[number];

export interface ChildRuleIssue {
  path: keyof ChildRuleInput;
  code: ChildRuleCode;
  message: string;
}

/** Rules that involve several fields or today's date. `today` is the school-local date. */
export function childRuleIssues(c: ChildRuleInput, today: string): ChildRuleIssue[] {
  const issues: ChildRuleIssue[] = [];
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const ageMonths = (ty - c.birthYear) * 12 + (tm - c.birthMonth);
  if (ageMonths < 0) {
    issues.push({ path: 'birthYear', code: 'birth_in_future', message: 'the birth month is in the future' });
  } else {
    const age = ageOn(c.birthYear, c.birthMonth, today);
    if (age < rosterLimits.ageOnEntry.min || age > rosterLimits.ageOnEntry.max) {
      issues.push({
        path: 'birthYear',
        code: 'age_out_of_range',
        message: `the child would be ${age} years old; expected ${rosterLimits.ageOnEntry.min}–${rosterLimits.ageOnEntry.max}`,
      });
    }
  }
  if (c.leftBehindStatus === 'none') {
    if (c.monthsSinceSeparation !== null) {
      issues.push({ path: 'monthsSinceSeparation', code: 'months_not_applicable', message: 'leave empty when no parent is away' });
    }
  } else if (c.monthsSinceSeparation === null) {
    issues.push({ path: 'monthsSinceSeparation', code: 'months_required', message: 'required when a parent is away' });
  } else if (ageMonths >= 0 && c.monthsSinceSeparation > ageMonths) {
    issues.push({ path: 'monthsSinceSeparation', code: 'months_exceed_age', message: `longer than the child's age (${ageMonths} months)` });
  }
  if (c.guardianConsentDate !== null && isValidIsoDate(c.guardianConsentDate) && c.guardianConsentDate > today) {
    issues.push({ path: 'guardianConsentDate', code: 'consent_in_future', message: 'the consent date cannot be in the future' });
  }
  return issues;
}

/** Today in China (one time zone, no daylight saving); the school's zone defaults to it. */
export const rosterToday = (now: Date = new Date()) => schoolToday(now);

const childFieldsObject = z.strictObject({
  ...childFieldShapes,
  className: childFieldShapes.className.default(''),
  monthsSinceSeparation: childFieldShapes.monthsSinceSeparation.default(null),
  boarding: childFieldShapes.boarding.default(false),
  guardianConsentDate: childFieldShapes.guardianConsentDate.default(null),
  childAssent: childFieldShapes.childAssent.default(false),
});

function withChildRules<T extends z.ZodType<ChildRuleInput>>(schema: T) {
  return schema.superRefine((c, ctx) => {
    for (const issue of childRuleIssues(c, rosterToday())) {
      ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message, params: { rule: issue.code } });
    }
  });
}

/** The child form's fields (the client validates with this before sending). */
export const childFieldsSchema = withChildRules(childFieldsObject);

export const createChildSchema = withChildRules(childFieldsObject.extend({ schoolId: objectIdSchema }));

/** A partial change; the server checks the rules on the merged record. */
export const updateChildSchema = z.strictObject({
  version: versionSchema,
  displayName: childFieldShapes.displayName.optional(),
  sex: childFieldShapes.sex.optional(),
  birthYear: childFieldShapes.birthYear.optional(),
  birthMonth: childFieldShapes.birthMonth.optional(),
  grade: childFieldShapes.grade.optional(),
  className: childFieldShapes.className.optional(),
  leftBehindStatus: childFieldShapes.leftBehindStatus.optional(),
  monthsSinceSeparation: childFieldShapes.monthsSinceSeparation.optional(),
  caregiver: childFieldShapes.caregiver.optional(),
  boarding: childFieldShapes.boarding.optional(),
  guardianConsentDate: childFieldShapes.guardianConsentDate.optional(),
  childAssent: childFieldShapes.childAssent.optional(),
});

export const deactivateChildSchema = z.strictObject({
  version: versionSchema,
  /** Last day in the school's groups (inclusive); default today. Open memberships end that day. */
  leftOn: isoDateSchema.optional(),
});
export const reactivateChildSchema = z.strictObject({ version: versionSchema });

export const childListQuerySchema = z.strictObject({
  schoolId: objectIdSchema.optional(),
  grade: z.coerce.number().int().min(rosterLimits.grade.min).max(rosterLimits.grade.max).optional(),
  className: z.string().trim().max(rosterLimits.classNameMax).optional(),
  leftBehindStatus: z.enum(leftBehindStatuses).optional(),
  /** Default: active children only. */
  active: z.enum(['true', 'false', 'all']).default('true'),
  /** Part of a name or a code. */
  q: z.string().trim().max(rosterLimits.searchMax).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(rosterLimits.pageSizeMax).default(50),
});

export const childIdParamsSchema = z.strictObject({ id: objectIdSchema });

export type ChildFields = z.infer<typeof childFieldsObject>;
export type CreateChildInput = z.infer<typeof createChildSchema>;
export type UpdateChildInput = z.infer<typeof updateChildSchema>;
export type ChildListQuery = z.infer<typeof childListQuerySchema>;

// ---------------------------------------------------------------------------------------------
// CSV roster import
// ---------------------------------------------------------------------------------------------

export type RosterColumnKey =
  | 'displayName'
  | 'sex'
  | 'birthYear'
  | 'birthMonth'
  | 'birth'
  | 'grade'
  | 'className'
  | 'leftBehindStatus'
  | 'monthsSinceSeparation'
  | 'caregiver'
  | 'boarding'
  | 'guardianConsentDate'
  | 'childAssent';

export interface RosterColumn {
  key: RosterColumnKey;
  /** Header written by the English template. */
  en: string;
  /** Header written by the Chinese template. */
  zh: string;
  /** Other headers accepted (compared after lower-casing and removing spaces, "*" and brackets' content). */
  aliases: readonly string[];
  required: boolean;
  /** Values accepted, for the documentation on the import page. */
  valuesEn: string;
  valuesZh: string;
}

/**
 * The import columns. Both header sets are accepted, in any order and mixed. Birth year and month
 * may come as two columns or as one "birth" column (2014-03, 2014/3, 2014年3月).
 */
export const ROSTER_COLUMNS: readonly RosterColumn[] = [
  { key: 'displayName', en: 'name', zh: '姓名', aliases: ['displayname', 'childname', '学生姓名', '儿童姓名', '名字'], required: true, valuesEn: 'full name', valuesZh: '学生姓名' },
  { key: 'sex', en: 'sex', zh: '性别', aliases: ['gender'], required: true, valuesEn: 'male / female (男 / 女)', valuesZh: '男 / 女' },
  { key: 'birthYear', en: 'birth_year', zh: '出生年份', aliases: ['birthyear', '出生年', '出生年份(年)'], required: true, valuesEn: 'e.g. 2014', valuesZh: '如 2014' },
  { key: 'birthMonth', en: 'birth_month', zh: '出生月份', aliases: ['birthmonth', '出生月'], required: true, valuesEn: '1–12', valuesZh: '1–12' },
  { key: 'birth', en: 'birth', zh: '出生年月', aliases: ['birthdate', 'dateofbirth', 'dob', '出生日期'], required: false, valuesEn: 'instead of the two columns above: 2014-03, 2014/3 or 2014年3月', valuesZh: '可代替上面两列：2014-03、2014/3 或 2014年3月' },
  { key: 'grade', en: 'grade', zh: '年级', aliases: [], required: true, valuesEn: '1–12, or 四年级 / 初一 (= 7)', valuesZh: '1–12，或 四年级、初一（= 7）' },
  { key: 'className', en: 'class', zh: '班级', aliases: ['classname', '班', '班别'], required: false, valuesEn: 'e.g. 3 or 3班', valuesZh: '如 3 或 3班' },
  { key: 'leftBehindStatus', en: 'left_behind', zh: '留守情况', aliases: ['leftbehind', 'leftbehindstatus', '留守状况', '留守类型', '是否留守'], required: true, valuesEn: 'none / one_parent_away / both_parents_away (无 / 单亲外出 / 双亲外出)', valuesZh: '无 / 单亲外出（父亲外出、母亲外出）/ 双亲外出' },
  { key: 'monthsSinceSeparation', en: 'months_since_separation', zh: '分离月数', aliases: ['monthssinceseparation', 'monthsapart', '与父母分离月数', '分离时间(月)'], required: false, valuesEn: 'whole months; required when a parent is away, empty when none is', valuesZh: '整月数；父母外出时必填，无外出时留空' },
  { key: 'caregiver', en: 'caregiver', zh: '主要照顾者', aliases: ['监护人', '照顾者', '主要监护人'], required: true, valuesEn: 'mother / father / grandparents / other_relatives / other (母亲 / 父亲 / 祖父母 / 其他亲属 / 其他)', valuesZh: '母亲 / 父亲 / 祖父母 / 其他亲属 / 其他' },
  { key: 'boarding', en: 'boarding', zh: '是否寄宿', aliases: ['boarder', '寄宿', '住校', '是否住校'], required: false, valuesEn: 'yes / no (是 / 否); empty = no', valuesZh: '是 / 否；空 = 否' },
  { key: 'guardianConsentDate', en: 'consent_date', zh: '监护人同意日期', aliases: ['guardianconsentdate', 'consent', '知情同意日期', '家长同意日期'], required: false, valuesEn: '2024-09-01 or 2024/9/1, not in the future; empty = not yet', valuesZh: '2024-09-01 或 2024/9/1，不能晚于今天；空 = 尚未同意' },
  { key: 'childAssent', en: 'child_assent', zh: '儿童本人同意', aliases: ['assent', 'childassent', '本人同意', '儿童同意', '学生同意'], required: false, valuesEn: 'yes / no (是 / 否); empty = no', valuesZh: '是 / 否；空 = 否' },
];

/** Columns of the downloadable template, in this order (the combined "birth" column is left out). */
export const ROSTER_TEMPLATE_KEYS: readonly RosterColumnKey[] = [
  'displayName', 'sex', 'birthYear', 'birthMonth', 'grade', 'className', 'leftBehindStatus',
  'monthsSinceSeparation', 'caregiver', 'boarding', 'guardianConsentDate', 'childAssent',
];

/** Header text as compared: NFKC, lower case, no spaces, "*", "_", "-", and no bracketed hints. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[(（][^)）]*[)）]/g, '')
    .replace(/[\s*_\-:：]/g, '');
}

/** Stable codes of row-level problems; the client translates them with {column, value}. */
export const importIssueCodes = [
  'required',
  'invalid_sex',
  'invalid_number',
  'out_of_range',
  'invalid_birth',
  'invalid_grade',
  'invalid_left_behind',
  'invalid_caregiver',
  'invalid_yes_no',
  'invalid_date',
  'too_long',
  ...childRuleCodes,
] as const;
export type ImportIssueCode = (typeof importIssueCodes)[number];

export const rosterImportQuerySchema = z.strictObject({ schoolId: objectIdSchema });
export const rosterImportConfirmSchema = z.strictObject({
  token: z.string().regex(/^[a-f0-9]{32}$/, 'must be the token of a preview'),
});
export const rosterTemplateQuerySchema = z.strictObject({ lang: z.enum(['zh-CN', 'en']).default('zh-CN') });

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

export const activityCodeSchema = z
  .string()
  .max(60)
  .refine((code) => findActivity(code) !== undefined, 'not an activity of the catalog');

const groupNameSchema = nameText(rosterLimits.groupNameMax, { requiredMessage: 'a name is required' });
const coachIdsSchema = z
  .array(objectIdSchema)
  .max(rosterLimits.coachesMax)
  .refine((ids) => new Set(ids).size === ids.length, 'a coach is listed twice');

export const createGroupSchema = z.strictObject({
  schoolId: objectIdSchema,
  name: groupNameSchema,
  activityCode: activityCodeSchema,
  coachIds: coachIdsSchema.default([]),
});

export const updateGroupSchema = z.strictObject({
  version: versionSchema,
  name: groupNameSchema.optional(),
  activityCode: activityCodeSchema.optional(),
  coachIds: coachIdsSchema.optional(),
});

export const addMembersSchema = z.strictObject({
  version: versionSchema,
  childIds: z
    .array(objectIdSchema)
    .min(1, 'choose at least one child')
    .max(rosterLimits.groupMembersMax)
    .refine((ids) => new Set(ids).size === ids.length, 'a child is listed twice'),
  joinedOn: isoDateSchema,
});

export const endMembershipSchema = z.strictObject({
  version: versionSchema,
  childId: objectIdSchema,
  leftOn: isoDateSchema,
});

/** Removes a membership added by mistake (only while no register of the group names the child). */
export const removeMemberSchema = z.strictObject({ version: versionSchema, childId: objectIdSchema });

export const groupListQuerySchema = z.strictObject({
  schoolId: objectIdSchema.optional(),
  activityCode: z.string().max(60).optional(),
  /** Groups a child has ever been a member of. */
  childId: objectIdSchema.optional(),
  coachId: objectIdSchema.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(100),
});

export const coachesQuerySchema = z.strictObject({ schoolId: objectIdSchema });
export const groupIdParamsSchema = z.strictObject({ id: objectIdSchema });

export type CreateGroupInput = z.infer<typeof createGroupSchema>;
export type UpdateGroupInput = z.infer<typeof updateGroupSchema>;
export type AddMembersInput = z.infer<typeof addMembersSchema>;
export type EndMembershipInput = z.infer<typeof endMembershipSchema>;
export type GroupListQuery = z.infer<typeof groupListQuerySchema>;
