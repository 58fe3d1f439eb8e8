import { type Config } from '../../server/config';
import { buildTrackerConfig } from '../../server/tracker-config';
import type { FieldsFile } from '../../server/fields/config';
import { testConfig } from './app';

/** One field of each type, as an install would configure them. */
export const FIELDS: FieldsFile = {
  customer: { name: 'Customer', type: 'text', default: '', search: true, copy: true, list: true, placeholder: 'Who asked' },
  'mycompany:estimated-hours': { name: 'Estimated Hours', type: 'int', search: true, caption: 'Whole hours' },
  regression: { name: 'Regression', type: 'bool', search: true },
  launch: { name: 'Launch', type: 'date', search: true },
  severity: { name: 'Severity', type: 'select', options: { sev1: 'Sev 1', sev2: 'Sev 2', sev3: 'Sev 3' }, default: 'sev3', search: true, list: true, copy: true },
  reviewers: { name: 'Reviewers', type: 'users', search: true },
};

/** A test configuration with these fields (FIELDS by default). */
export function fieldsConfig(fields: FieldsFile = FIELDS): Partial<Config> {
  return { tracker: buildTrackerConfig({ fields }) };
}

export { testConfig };
