import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs every package's tests in parallel on two cores; rendering thousands of rows in jsdom
// can then take far longer than the defaults (1 s for findBy*, 5 s per test). These are
// correctness tests, not timing tests, so give them room.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(120_000);
