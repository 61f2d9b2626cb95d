import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
/**
 * Text that came from a pull request (file names, manifest values, symlink targets, messages of
 * libraries that echo their input) is written by an attacker. Two rules keep it from acting:
 *
 * - `printable(value)` where data is put into a message: every line break and invisible
 *   character becomes a visible escape, so data stays on the line it was put on and cannot
 *   hide what it is (bidirectional overrides, zero-width characters).
 * - `neutraliseLog(text)` where text leaves the process for a log (the action's and the CLI's
 *   stdout/stderr): whatever a builder forgot, no line the runner reads can be a command.
 *
 * Markdown has its own rules (src/report/markdown.ts).
 */
/**
 * Characters that must never reach a log or a message as themselves: C0 and C1 controls,
 * DEL, Unicode format characters (bidi overrides, zero-width space/joiners, soft hyphen, BOM),
 * and the line/paragraph separators.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;
const NAMED = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
function escapeCharacter(ch) {
    return NAMED[ch] ?? `\\u{${ch.codePointAt(0).toString(16).padStart(4, '0')}}`;
}
/** One line of visible text for a value from data: `a\nb` stays on one line as `a\nb`. */
function printable(value) {
    return value.replace(INVISIBLE, escapeCharacter);
}
/**
 * Characters a culture-aware comparison may skip (the runner matches `::` and `##[` with .NET's
 * culture-sensitive StartsWith/IndexOf): format characters and combining marks. Used only to
 * decide whether a line looks like a command, never to change what is shown.
 */
const IGNORABLE = /[\p{Cf}\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]/gu;
/**
 * Text safe to write to a log read by the GitHub Actions runner (actions/runner,
 * src/Runner.Common/ActionCommand.cs): a line is a command when, after leading whitespace, it
 * starts with `::` (current syntax), or when it contains `##[` anywhere (the older syntax, still
 * parsed). The runner also ends a line at a lone `\r`: ours never contain one, so `\n` and `\r\n`
 * stay line ends and a lone `\r` is shown as `\r`, like other invisible characters; a
 * line that would start with `::` gets a leading `\`; `##[` becomes `#\#[`. Our own workflow
 * commands go through @actions/core (core.error, core.warning...), never through here.
 */
function neutraliseLog(text) {
    return text.replace(/\r\n/g, '\n').split('\n').map(neutraliseLine).join('\n');
}
function neutraliseLine(line) {
    let out = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu, escapeCharacter);
    const shadow = out.replace(IGNORABLE, '');
    if (/^\s*::/u.test(shadow))
        out = `\\${out}`;
    if (shadow.includes('##[')) {
        // Break every `#`…`#`…`[` run, ignorable characters between them included.
        out = out.replace(/#(?=[\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]*#[\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]*\[)/gu, '#\\');
    }
    return out;
}
/**
 * JSON whose text is log-safe and still parses to the same value: `#`, format characters,
 * C1 controls and the line separators inside strings are written as `\uXXXX` escapes
 * (JSON.stringify already escapes C0 controls), so `##[` and hidden characters cannot appear
 * and no line can start with `::` (every line of the output starts with a bracket, a quote or
 * whitespace).
 */
function logSafeJson(value, indent) {
    return JSON.stringify(value, null, indent).replace(/[#\u007f-\u009f\p{Cf}\u2028\u2029]/gu, (ch) => Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}
/**
 * A writer for a stream that a runner may read (the CLI in a workflow step): every complete line
 * goes through neutraliseLog. An unfinished line is held until it ends (or `flush`), because a
 * command split across two writes is still one line to the runner.
 */
class LogSafeWriter {
    stream;
    pending = '';
    constructor(stream) {
        this.stream = stream;
    }
    write(text) {
        const all = this.pending + text;
        const end = all.lastIndexOf('\n');
        this.pending = all.slice(end + 1);
        if (end >= 0)
            this.stream.write(`${neutraliseLog(all.slice(0, end))}\n`);
        return true;
    }
    flush() {
        if (this.pending)
            this.stream.write(neutraliseLog(this.pending));
        this.pending = '';
    }
}

const $schema = "http://json-schema.org/draft-07/schema#";
const $id = "https://raw.githubusercontent.com/entra-photos/entra-photos/v0.1.0/schema/manifest.schema.json";
const title = "entra-photos manifest";
const description = "Declares which photo each Microsoft Entra ID user (and Microsoft 365 group or team) should have, and optionally the tenant's photo update policy. Every manifests/**/*.yaml file is merged.";
const type = "object";
const additionalProperties = false;
const required = [
	"version"
];
const properties = {
	version: {
		description: "Manifest format version. Always 1.",
		"const": 1
	},
	targets: {
		description: "The directory services this repository manages: entra (Microsoft Entra ID) and google (Google Workspace). Default [entra]. Several manifests may declare it only with the same list.",
		type: "array",
		minItems: 1,
		uniqueItems: true,
		items: {
			"enum": [
				"entra",
				"google"
			]
		}
	},
	photoRoot: {
		description: "Folder holding this manifest's photos, relative to the repository root. Photo paths are relative to it and must stay inside it. Default: photos.",
		type: "string",
		minLength: 1
	},
	crop: {
		description: "How non-square photos in this manifest are cropped to a square: centre (default) or attention (follows the most salient region, usually the face).",
		$ref: "#/definitions/crop"
	},
	normalise: {
		description: "Normalise photos before upload (auto-orient, sRGB, square crop, 648x648 JPEG, metadata stripped). Default true. When false, photos must already be square JPEGs of at most 4 MB and are sent as they are.",
		type: "boolean"
	},
	users: {
		description: "One entry per user: who (user or employeeId), which photo, and optionally the person's name for reviewers.",
		type: "array",
		items: {
			$ref: "#/definitions/user"
		}
	},
	groups: {
		description: "One entry per Microsoft 365 group or team (a team's photo is its group's photo): which group, which photo, and optionally its name for reviewers.",
		type: "array",
		items: {
			$ref: "#/definitions/group"
		}
	},
	policy: {
		$ref: "#/definitions/policy"
	}
};
const definitions = {
	crop: {
		"enum": [
			"centre",
			"center",
			"attention"
		]
	},
	user: {
		type: "object",
		additionalProperties: false,
		required: [
			"photo"
		],
		properties: {
			user: {
				description: "userPrincipalName, mail address, or object id (GUID) of the user.",
				type: "string",
				minLength: 1
			},
			employeeId: {
				description: "The user's employeeId (school roster / HR number). Quote it so leading zeros are kept.",
				type: "string",
				minLength: 1
			},
			google: {
				description: "The user's Google Workspace account (primary email, alias, or numeric user id) where it differs from user/employeeId. Used only when targets include google; needed there for an object-id key.",
				type: "string",
				minLength: 1
			},
			name: {
				description: "The person's name, for people reading plans and reports (e.g. the roster's display name). Display only: changing it is not a photo change and nothing is written to the tenant.",
				type: "string",
				minLength: 1,
				maxLength: 256
			},
			photo: {
				description: "Path of the photo, relative to photoRoot. Forward slashes.",
				type: "string",
				minLength: 1
			},
			crop: {
				description: "Overrides the manifest's crop for this photo.",
				$ref: "#/definitions/crop"
			}
		},
		oneOf: [
			{
				required: [
					"user"
				],
				not: {
					required: [
						"employeeId"
					]
				}
			},
			{
				required: [
					"employeeId"
				],
				not: {
					required: [
						"user"
					]
				}
			}
		]
	},
	group: {
		type: "object",
		additionalProperties: false,
		required: [
			"group",
			"photo"
		],
		properties: {
			group: {
				description: "The group's object id (GUID), mail address, or mailNickname.",
				type: "string",
				minLength: 1
			},
			name: {
				description: "The group's name, for people reading plans and reports (e.g. Class 9B). Display only: nothing is written to the tenant.",
				type: "string",
				minLength: 1,
				maxLength: 256
			},
			photo: {
				description: "Path of the photo, relative to photoRoot. Forward slashes.",
				type: "string",
				minLength: 1
			},
			crop: {
				description: "Overrides the manifest's crop for this photo.",
				$ref: "#/definitions/crop"
			}
		}
	},
	policy: {
		description: "The tenant's photo update policy (Graph beta photoUpdateSettings). At most one policy across all manifests.",
		type: "object",
		additionalProperties: false,
		properties: {
			source: {
				description: "Where photos are managed: cloud, or onPremises (cloud photo writes are then disabled for everyone).",
				"enum": [
					"cloud",
					"onPremises"
				]
			},
			allowedRoles: {
				description: "Directory roles (names or role template ids) whose holders may update other users' photos.",
				type: "array",
				uniqueItems: true,
				items: {
					type: "string",
					minLength: 1
				}
			}
		}
	}
};
const manifestSchema = {
	$schema: $schema,
	$id: $id,
	title: title,
	description: description,
	type: type,
	additionalProperties: additionalProperties,
	required: required,
	properties: properties,
	definitions: definitions
};

export { LogSafeWriter as L, logSafeJson as l, manifestSchema as m, neutraliseLog as n, printable as p };
