// Every error code the API returns, with its HTTP status and what it means for a caller. Routes
// name the codes they can return (route.ts `errors`); the codes every route of a kind can return
// (bad input, not signed in, no permission, …) are added by `commonErrorsOf`. The OpenAPI
// document (server/modules/api-docs) is built from this list, so a script author sees the same
// codes the server sends.
export const errorCatalog = {
  // Any route
  invalid_input: { status: 400, meaning: 'A path, query or body field is missing or invalid; `details` lists each field.' },
  malformed_json: { status: 400, meaning: 'The request body is not valid JSON.' },
  bad_request: { status: 400, meaning: 'The request could not be read.' },
  payload_too_large: { status: 413, meaning: 'The request body is larger than the limit.' },
  unsupported_encoding: { status: 415, meaning: 'The request body is not UTF-8.' },
  not_found: { status: 404, meaning: 'The record (or endpoint) does not exist.' },
  internal_error: { status: 500, meaning: 'Unexpected server error; it has been logged.' },
  // Sign-in and access
  unauthenticated: { status: 401, meaning: 'No valid session cookie or API token.' },
  token_invalid: { status: 401, meaning: 'The API token is unknown or malformed.' },
  token_expired: { status: 401, meaning: 'The API token has passed its expiry date; create a new one.' },
  token_revoked: { status: 401, meaning: 'The API token was revoked.' },
  token_user_inactive: { status: 401, meaning: 'The account that owns the API token is deactivated.' },
  invalid_credentials: { status: 401, meaning: 'Wrong username or password.' },
  forbidden: { status: 403, meaning: 'Your role or schools do not give access to this.' },
  session_required: { status: 403, meaning: 'Only possible when signed in in the browser, not with an API token.' },
  csrf_invalid: { status: 403, meaning: 'Browser requests only: the X-CSRF-Token header is missing or wrong.' },
  rate_limited: { status: 429, meaning: 'Too many requests; wait and try again (see the RateLimit headers).' },
  setup_done: { status: 409, meaning: 'The first admin already exists.' },
  self_lockout: { status: 400, meaning: 'An admin cannot remove their own admin access.' },
  username_taken: { status: 409, meaning: 'Another account has this username.' },
  // Saves
  version_conflict: { status: 409, meaning: 'Someone else saved first; `details.current` holds their version.' },
  idempotency_key_required: { status: 400, meaning: 'This save needs an Idempotency-Key header.' },
  invalid_idempotency_key: { status: 400, meaning: 'Idempotency-Key must be 8–80 letters, digits, "-" or "_".' },
  idempotency_key_reused: { status: 422, meaning: 'The Idempotency-Key was used before with a different body.' },
  request_in_progress: { status: 409, meaning: 'The first request with this Idempotency-Key is still running.' },
  // Schools, children, groups
  unknown_school: { status: 400, meaning: 'A school id in the request does not exist.' },
  school_in_use: { status: 409, meaning: 'The school still has users, children or groups.' },
  duplicate_child: { status: 409, meaning: 'A child with the same name and birth date is already on the roster.' },
  child_has_data: { status: 409, meaning: 'The child has attendance or questionnaires; deactivate instead.' },
  already_active: { status: 409, meaning: 'The child is already active.' },
  already_inactive: { status: 409, meaning: 'The child is already inactive.' },
  invalid_csv: { status: 400, meaning: 'The roster CSV cannot be read; `details` says where.' },
  preview_not_found: { status: 404, meaning: 'The import preview is unknown or has expired.' },
  preview_expired: { status: 410, meaning: 'The import preview is too old; upload the file again.' },
  import_in_progress: { status: 409, meaning: 'The import is being confirmed right now.' },
  unknown_group: { status: 400, meaning: 'A group id in the request does not exist.' },
  invalid_coach: { status: 400, meaning: 'The coach is not a PE teacher of the school.' },
  invalid_members: { status: 400, meaning: 'A child is not on the roster of the group’s school.' },
  not_a_member: { status: 400, meaning: 'The child is not a member of the group.' },
  group_full: { status: 400, meaning: 'The group would exceed its size limit.' },
  group_history_full: { status: 400, meaning: 'The group’s membership history is at its limit.' },
  group_in_use: { status: 409, meaning: 'The group is used by a programme or has sessions.' },
  member_has_attendance: { status: 409, meaning: 'The child has attendance in the group; end the membership instead.' },
  // Programmes, schedule, sessions
  unknown_activity: { status: 400, meaning: 'An activity code is not in the catalogue.' },
  group_outside_schools: { status: 400, meaning: 'A group belongs to a school outside the programme.' },
  group_not_in_programme: { status: 400, meaning: 'The group is not part of the programme.' },
  same_arm: { status: 400, meaning: 'The comparison needs an intervention and a control programme.' },
  programme_has_held_sessions: { status: 409, meaning: 'The programme has held sessions and cannot be deleted.' },
  schedule_busy: { status: 409, meaning: 'The schedule is being generated by another request.' },
  slot_taken: { status: 409, meaning: 'The group already has a session at that time.' },
  session_logged: { status: 409, meaning: 'The session already has a register.' },
  session_changed: { status: 409, meaning: 'The session changed since it was read.' },
  session_not_scheduled: { status: 409, meaning: 'Only a scheduled session can be changed this way.' },
  session_not_cancelled: { status: 409, meaning: 'Only a cancelled session can be restored.' },
  session_cancelled: { status: 409, meaning: 'The session was cancelled; restore it first.' },
  session_in_future: { status: 400, meaning: 'A register cannot be saved before the session starts.' },
  // Instruments, assessments, results
  unknown_instrument: { status: 400, meaning: 'The instrument code or version does not exist.' },
  instrument_code_taken: { status: 409, meaning: 'An instrument with this code exists.' },
  instrument_code_mismatch: { status: 400, meaning: 'The code in the body differs from the code in the path.' },
  instrument_corrupt: { status: 500, meaning: 'A stored instrument definition is not valid.' },
  assessment_exists: { status: 409, meaning: 'The child already has this questionnaire for this wave.' },
  outside_wave_window: { status: 400, meaning: 'The date is outside the wave’s window.' },
  inconsistent_data: { status: 422, meaning: 'The programmes cannot be analysed together.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof errorCatalog;
