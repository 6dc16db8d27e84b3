import { Router } from 'express';
import {
  addMembersSchema,
  coachesQuerySchema,
  createGroupSchema,
  endMembershipSchema,
  groupIdParamsSchema,
  groupListQuerySchema,
  removeMemberSchema,
  updateGroupSchema,
} from '../../../shared/schemas/roster.ts';
import { DELETE_VERSION_NOTE, deleteVersionOf } from '../../lib/delete-version.ts';
import { mount, route } from '../../lib/route.ts';
import { addMembers, createGroup, deleteGroup, endMembership, getGroup, listCoaches, listGroups, removeMember, updateGroup } from './service.ts';

export function groupRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/groups', [
    route({ method: 'get', path: '/', summary: 'List sports groups', access: 'group:read', query: groupListQuerySchema, handle: ({ actor, query }) => listGroups(actor, query) }),
    route({ method: 'post', path: '/', summary: 'Create a sports group', errors: ['unknown_school', 'invalid_coach'], access: 'group:write', body: createGroupSchema, status: 201, handle: ({ actor, body }) => createGroup(actor, body) }),
    route({ method: 'get', path: '/coaches', summary: 'PE teachers who may coach a group of a school', access: 'group:read', query: coachesQuerySchema, handle: ({ actor, query }) => listCoaches(actor, query.schoolId) }),
    route({ method: 'get', path: '/:id', summary: 'Read one group with its members', access: 'group:read', params: groupIdParamsSchema, handle: ({ actor, params }) => getGroup(actor, params.id) }),
    route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a group',
      errors: ['version_conflict', 'invalid_coach'],
      access: 'group:write',
      params: groupIdParamsSchema,
      body: updateGroupSchema,
      handle: ({ actor, params, body }) => updateGroup(actor, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a group that no programme or session uses',
      status: 204,
      description: DELETE_VERSION_NOTE,
      errors: ['version_required', 'version_conflict', 'group_in_use'],
      access: 'group:write',
      params: groupIdParamsSchema,
      handle: ({ req, actor, params }) => deleteGroup(actor, params.id, deleteVersionOf(req)),
    }),
    route({
      method: 'post',
      path: '/:id/members',
      summary: 'Add children to a group',
      errors: ['version_conflict', 'invalid_members', 'group_full', 'group_history_full'],
      access: 'group:write',
      params: groupIdParamsSchema,
      body: addMembersSchema,
      handle: ({ actor, params, body }) => addMembers(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/members/leave',
      summary: "End a child's membership (keeps their history)",
      errors: ['version_conflict', 'not_a_member'],
      access: 'group:write',
      params: groupIdParamsSchema,
      body: endMembershipSchema,
      handle: ({ actor, params, body }) => endMembership(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/members/remove',
      summary: 'Remove a child added by mistake (no attendance)',
      errors: ['version_conflict', 'not_a_member', 'member_has_attendance'],
      access: 'group:write',
      params: groupIdParamsSchema,
      body: removeMemberSchema,
      handle: ({ actor, params, body }) => removeMember(actor, params.id, body),
    }),
  ]);
  return router;
}
