import { describe, expect, test } from 'vitest'
import { DurationError, parseDuration } from '../../../src/config/duration.ts'

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['1.5s', 1500],
    ['.5s', 500],
    ['0', 0],
    ['0s', 0],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    [' 10s ', 10_000],
  ])('%s is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9)
  })

  test.each(['', '30', '1.5', '10 seconds', 's', '5d', '1h-30m', '-5s', '1s2', 'abc'])('"%s" is refused', (input) => {
    expect(() => parseDuration(input)).toThrow(DurationError)
  })

  test('the error says what was wrong and what would be right', () => {
    expect(() => parseDuration('30')).toThrow('"30" is not a duration (a unit is required: ms, s, m, h)')
    expect(() => parseDuration('10 seconds')).toThrow('use e.g. 250ms, 30s, 5m, 1h30m')
    expect(() => parseDuration('-5s')).toThrow('negative')
  })
})
