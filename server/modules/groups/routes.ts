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
import { deleteVersionOf } from '../../lib/delete-version.ts';
import { mount, route } from '../../lib/route.ts';
import { addMembers, createGroup, deleteGroup, endMembership, getGroup, listCoaches, listGroups, removeMember, updateGroup } from './service.ts';

export function groupRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/groups', [
    route({ method: 'get', path: '/', access: 'group:read', query: groupListQuerySchema, handle: ({ actor, query }) => listGroups(actor, query) }),
    route({ method: 'post', path: '/', access: 'group:write', body: createGroupSchema, status: 201, handle: ({ actor, body }) => createGroup(actor, body) }),
    route({ method: 'get', path: '/coaches', access: 'group:read', query: coachesQuerySchema, handle: ({ actor, query }) => listCoaches(actor, query.schoolId) }),
    route({ method: 'get', path: '/:id', access: 'group:read', params: groupIdParamsSchema, handle: ({ actor, params }) => getGroup(actor, params.id) }),
    route({
      method: 'patch',
      path: '/:id',
      access: 'group:write',
      params: groupIdParamsSchema,
      body: updateGroupSchema,
      handle: ({ actor, params, body }) => updateGroup(actor, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/:id',
      access: 'group:write',
      params: groupIdParamsSchema,
      handle: ({ req, actor, params }) => deleteGroup(actor, params.id, deleteVersionOf(req)),
    }),
    route({
      method: 'post',
      path: '/:id/members',
      access: 'group:write',
      params: groupIdParamsSchema,
      body: addMembersSchema,
      handle: ({ actor, params, body }) => addMembers(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/members/leave',
      access: 'group:write',
      params: groupIdParamsSchema,
      body: endMembershipSchema,
      handle: ({ actor, params, body }) => endMembership(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/members/remove',
      access: 'group:write',
      params: groupIdParamsSchema,
      body: removeMemberSchema,
      handle: ({ actor, params, body }) => removeMember(actor, params.id, body),
    }),
  ]);
  return router;
}
