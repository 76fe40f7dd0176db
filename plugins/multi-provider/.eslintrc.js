module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // Views shared by both frontend systems are checked by `expect…` helpers in __testUtils__.
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expect*'] },
    ],
  },
});
