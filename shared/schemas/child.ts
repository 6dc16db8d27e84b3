// Vocabulary of the children roster, shared by the API, the model and the forms.
export const sexes = ['female', 'male'] as const;
/** Left-behind status: whether one or both parents work far away (migrant work). */
export const leftBehindStatuses = ['none', 'one_parent_away', 'both_parents_away'] as const;
export const caregivers = ['mother', 'father', 'grandparents', 'other_relatives', 'other'] as const;
export const arms = ['intervention', 'control'] as const;
export const waves = ['pre', 'post', 'followup'] as const;

export type Sex = (typeof sexes)[number];
export type LeftBehindStatus = (typeof leftBehindStatuses)[number];
export type Caregiver = (typeof caregivers)[number];
export type Arm = (typeof arms)[number];
export type Wave = (typeof waves)[number];
