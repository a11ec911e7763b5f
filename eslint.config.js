import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The dependency direction of src/ (see README "Architecture") is enforced here, so a call-logic
// file cannot quietly start talking to a socket or a vendor's wire format.
const vendorImports = [
  {
    group: ['ws', 'express', 'express-ws', 'twilio', 'twilio/*'],
    message: 'call/ sees interfaces only.',
  },
  {
    group: ['**/realtime/openai/*', '**/telephony/twilio/*'],
    message: 'call/ sees interfaces only.',
  },
  { group: ['**/replay/*', '**/replay/**'], message: 'The server never imports replay tooling.' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/replay/**', 'src/demo/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [vendorImports[2]] }],
    },
  },
  {
    files: ['src/call/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: vendorImports }] },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'src/replay/**/*.ts', 'src/demo/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
