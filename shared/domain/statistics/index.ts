export * from './basic.ts';
export * from './wilcoxon.ts';
export * from './paired.ts';
export * from './reliability.ts';
export * from './between.ts';
export * from './suppression.ts';
