import { parseScenario, ScenarioFormatError } from './scenario.loader.js';

const VALID = `name: tiny
origin: { lon: -1.5, lat: 52.9 }
durationS: 10
zones:
  - id: cess
    kind: safe
    polygon: [[-10, -10], [10, -10], [10, 10], [-10, 10]]
devices:
  - id: walker
    path:
      - [0, 0, 0]
      - [10, 5, 0]
`;

function parseError(text: string): ScenarioFormatError {
  try {
    parseScenario(text, 'tiny.yaml');
  } catch (error) {
    if (error instanceof ScenarioFormatError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioFormatError');
}

describe('scenario loader', () => {
  it('reads YAML and fills the defaults', () => {
    const scenario = parseScenario(VALID, 'tiny.yaml');
    expect(scenario.devices[0]).toMatchObject({ fixIntervalS: 1, noise: { r95M: 3, dropoutProbability: 0 } });
    expect(scenario.expected).toMatchObject({ crossings: [], serverBreaches: 'crossings', pending: [] });
    expect(scenario.seed).toBe(1);
  });

  it('reads the same scenario as JSON', () => {
    const json = JSON.stringify(parseScenario(VALID, 'tiny.yaml'));
    expect(parseScenario(json, 'tiny.json')).toEqual(parseScenario(VALID, 'tiny.yaml'));
  });

  it('gives the line, column and field of a schema error', () => {
    const error = parseError(VALID.replace('[10, 5, 0]', '[10, 5, "east"]'));
    expect(error.message).toBe(
      'tiny.yaml: line 12, column 17 (devices[0].path[1][2]): Invalid input: expected number, received string',
    );
  });

  it('names decreasing waypoint times, unknown devices and wearable models, each with its line', () => {
    const error = parseError(
      VALID.replace('[10, 5, 0]', '[0, 5, 0]\n    wearable: acme').replace(
        'kind: safe',
        'kind: safe\n    appliesTo: [ghost]',
      ),
    );
    expect(error.message).toContain(
      'line 7, column 17 (zones[0].appliesTo[0]): no device "ghost" in this scenario',
    );
    expect(error.message).toContain(
      '(devices[0].path[1][0]): waypoint time 0 s must be after the previous one (0 s)',
    );
    expect(error.message).toContain(
      '(devices[0].wearable): unknown wearable model "acme"; known models: reference,',
    );
  });

  it('gives the line of a YAML syntax error and of an unknown key', () => {
    expect(parseError('name: [unclosed\n').message).toMatch(/^tiny\.yaml: line \d+, column \d+: /);
    expect(parseError(VALID.replace('durationS: 10', 'durationS: 10\nspeed: 3')).message).toMatch(
      /^tiny\.yaml: line 1, column 1: Unrecognized key: "speed"/,
    );
    expect(
      parseError(VALID.replace('    polygon: [[-10, -10], [10, -10], [10, 10], [-10, 10]]\n', '')).message,
    ).toBe('tiny.yaml: line 5, column 5 (zones[0].polygon): a zone has either a polygon or a corridor');
  });
});
